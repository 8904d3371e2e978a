//! Typed extraction: serde deserializers straight over resolved values.
//!
//! [`Snapshot::get_as`](super::Snapshot::get_as) and
//! [`Snapshot::group_as`](super::Snapshot::group_as) read [`Value`]s
//! directly (no JSON in between), so an error can name the group, the
//! option, where inside the value, and where the value came from; and a
//! [`Sourced`](super::Sourced) field can keep that origin.
//!
//! Values are typed by the registry already: an integer option gives
//! integers, a string option strings. A Rust type that wants something
//! else is an error, not a conversion (`"8080"` from a string option does
//! not become a `u16`), except that any number fits a float.

use std::fmt::{self, Display};

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, Expected, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor, value::BorrowedStrDeserializer,
};

use super::sourced::{self, OriginDeserializer};
use super::{AccessError, GroupValues, Resolved};
use crate::diagnostic::printable;
use crate::opt::{MASK, Value};
use crate::origin::Origin;

/// An option's value that does not fit the requested Rust type, with where
/// the value came from. Never holds a secret's value.
///
/// `Display` gives one line in the form of [`Diagnostic`](crate::Diagnostic)s:
/// `glance-api.conf:12:11: [api] bind_port: expected u16 (0 to 65535), found integer `70000``.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Mismatch {
    /// The group, as registered.
    pub group: String,
    /// The option's dest.
    pub option: String,
    /// Where inside the value: empty for the whole value, `[2]` for a
    /// list's third item, `.key` for a dict's entry (they nest: `.a[0]`).
    pub path: String,
    /// Where the option's value came from.
    pub origin: Origin,
    /// What the Rust type wanted, when serde said (`u16 (0 to 65535)`,
    /// `a boolean`, ``one of `debug`, `info` ``).
    pub expected: Option<String>,
    /// What the value was, when serde said (``integer `70000` ``); a
    /// secret shows as `a secret (****)`.
    pub found: Option<String>,
    /// The whole explanation: `expected ..., found ...`, or the message of
    /// the type's own `Deserialize` (secrets masked).
    pub message: String,
}

impl Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = format!("{}: [{}] {}{}: {}", self.origin, self.group, self.option, self.path, self.message);
        f.write_str(&printable(&text))
    }
}

/// Which option a value belongs to, for errors.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    group: &'a str,
    option: &'a str,
    origin: &'a Origin,
    /// The whole value is secret (a secret option, or one that
    /// interpolates a secret).
    secret: bool,
}

/// The deserializers' error: serde's pieces until the value it concerns
/// is known, then a located [`Mismatch`]. Boxed: errors are rare, results
/// are everywhere.
#[derive(Debug)]
pub(crate) struct DeError(Box<Parts>);

#[derive(Debug)]
struct Parts {
    message: String,
    expected: Option<String>,
    found: Option<String>,
    /// `found` quotes the value's text (a string, a variant name).
    found_text: bool,
    missing_field: Option<&'static str>,
    /// Built inside out as the error leaves nested lists and dicts.
    path: String,
    at: Option<Box<Mismatch>>,
}

impl DeError {
    fn new(message: String) -> DeError {
        DeError(Box::new(Parts {
            message,
            expected: None,
            found: None,
            found_text: false,
            missing_field: None,
            path: String::new(),
            at: None,
        }))
    }

    fn mismatch(found: String, found_text: bool, expected: String) -> DeError {
        let mut e = DeError::new(String::new());
        (e.0.expected, e.0.found, e.0.found_text) = (Some(expected), Some(found), found_text);
        e
    }

    fn out_of_range<T: Display>(value: i64, ty: &str, min: T, max: T) -> DeError {
        DeError::mismatch(Unexpected::Signed(value).to_string(), false, format!("{ty} ({min} to {max})"))
    }

    /// Puts `segment` in front of the path (errors leave nested values
    /// from the inside out).
    fn within(mut self, segment: fmt::Arguments<'_>) -> DeError {
        match &mut self.0.at {
            Some(m) => m.path = format!("{segment}{}", m.path),
            None => self.0.path = format!("{segment}{}", self.0.path),
        }
        self
    }

    /// Ties the error to the value it concerns, masking the value's
    /// secrets; an error already tied to a nested value keeps that.
    fn at(mut self, ctx: Ctx<'_>, value: &Value) -> DeError {
        if self.0.at.is_some() {
            return self;
        }
        let mut secrets = Vec::new();
        collect_secrets(value, ctx.secret, &mut secrets);
        let mut found = self.0.found.take();
        // A secret's text, and a secret number or boolean too; a list or
        // dict shows only its kind ("a sequence").
        let secret_here = ctx.secret || matches!(value, Value::Secret(_));
        let scalar = !matches!(value, Value::List(_) | Value::Dict(_));
        if (self.0.found_text && !secrets.is_empty()) || (secret_here && scalar) {
            found = found.map(|_| format!("a secret ({MASK})"));
        }
        let message = match (&self.0.expected, &found) {
            (Some(e), Some(f)) => format!("expected {e}, found {f}"),
            _ => mask(&self.0.message, &secrets),
        };
        self.0.at = Some(Box::new(Mismatch {
            group: ctx.group.to_owned(),
            option: ctx.option.to_owned(),
            path: std::mem::take(&mut self.0.path),
            origin: ctx.origin.clone(),
            expected: self.0.expected.take(),
            found,
            message,
        }));
        self
    }

    /// The error for [`AccessError`], for errors from `group`.
    fn into_access(self, group: &GroupValues) -> AccessError {
        let DeError(e) = self;
        if let Some(m) = e.at {
            return AccessError::Mismatch(m);
        }
        let name = group.name().to_owned();
        if let Some(field) = e.missing_field {
            // A field the struct needs: an option without a value, or a
            // name the group does not register (a typo, most likely).
            return match group.opts.contains_key(field) {
                true => AccessError::Unset { group: name, option: field.to_owned() },
                false => AccessError::NoSuchOpt { group: name, option: field.to_owned() },
            };
        }
        let mut secrets = Vec::new();
        for (_, r) in group.iter() {
            if let Some(v) = &r.value {
                collect_secrets(v, r.secret, &mut secrets);
            }
        }
        AccessError::Type { group: name, message: mask(&DeError(e).to_string(), &secrets) }
    }
}

impl Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.0.at, &self.0.expected, &self.0.found) {
            (Some(m), _, _) => m.fmt(f),
            (None, Some(e), Some(found)) => write!(f, "{}expected {e}, found {found}", PathPrefix(&self.0.path)),
            _ => write!(f, "{}{}", PathPrefix(&self.0.path), self.0.message),
        }
    }
}

struct PathPrefix<'a>(&'a str);

impl Display for PathPrefix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() { Ok(()) } else { write!(f, "{}: ", self.0) }
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: Display>(msg: T) -> Self {
        DeError::new(msg.to_string())
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        DeError::mismatch(unexp.to_string(), quotes_text(&unexp), exp.to_string())
    }

    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        DeError::mismatch(unexp.to_string(), quotes_text(&unexp), exp.to_string())
    }

    fn invalid_length(len: usize, exp: &dyn Expected) -> Self {
        DeError::mismatch(format!("{len} items"), false, exp.to_string())
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        DeError::mismatch(format!("`{variant}`"), true, one_of(expected))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        DeError::new(format!("unknown field `{field}`, expected {}", one_of(expected)))
    }

    fn missing_field(field: &'static str) -> Self {
        let mut e = DeError::new(format!("missing field `{field}`"));
        e.0.missing_field = Some(field);
        e
    }
}

fn quotes_text(u: &Unexpected<'_>) -> bool {
    matches!(u, Unexpected::Str(_) | Unexpected::Char(_) | Unexpected::Bytes(_) | Unexpected::Other(_))
}

fn one_of(names: &[&str]) -> String {
    match names {
        [] => "nothing".to_owned(),
        [one] => format!("`{one}`"),
        _ => format!("one of {}", names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")),
    }
}

/// The texts a message must not show: every string or number of a secret
/// value, the secret strings of any other.
fn collect_secrets(value: &Value, secret: bool, out: &mut Vec<String>) {
    match value {
        Value::Secret(s) if !s.is_empty() => out.push(s.expose().to_owned()),
        Value::Str(s) if secret && !s.is_empty() => out.push(s.clone()),
        Value::Int(i) if secret => out.push(i.to_string()),
        Value::Float(f) if secret => out.push(f.to_string()),
        Value::List(l) => l.iter().for_each(|v| collect_secrets(v, secret, out)),
        Value::Dict(d) => d.values().for_each(|v| collect_secrets(v, secret, out)),
        _ => {}
    }
}

/// `text` with every secret, as written and as `{:?}` escapes it, masked.
fn mask(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_owned();
    let mut forms: Vec<String> = Vec::new();
    for s in secrets {
        let escaped = format!("{s:?}");
        forms.push(escaped[1..escaped.len() - 1].to_owned());
        forms.push(s.clone());
    }
    // Longest first, so that a secret inside another is not half masked.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    for f in forms {
        if !f.is_empty() {
            out = out.replace(&f, MASK);
        }
    }
    out
}

/// One option's value (or an item inside it).
#[derive(Clone, Copy)]
struct ValueDe<'a> {
    value: &'a Value,
    ctx: Ctx<'a>,
}

impl<'a> ValueDe<'a> {
    fn fail(self, e: DeError) -> DeError {
        e.at(self.ctx, self.value)
    }

    /// `seed` from this value; an error that the seed's own type raises
    /// after reading the value (a custom message) is tied to it too.
    fn give<S: DeserializeSeed<'a>>(self, seed: S) -> Result<S::Value, DeError> {
        seed.deserialize(self).map_err(|e| self.fail(e))
    }
}

macro_rules! integer {
    ($($method:ident $visit:ident $t:ty;)*) => {$(
        fn $method<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
            match self.value {
                Value::Int(i) => match <$t>::try_from(*i) {
                    Ok(n) => visitor.$visit(n).map_err(|e| self.fail(e)),
                    Err(_) => Err(self.fail(DeError::out_of_range(*i, stringify!($t), <$t>::MIN, <$t>::MAX))),
                },
                // Anything else: the visitor says what it expected.
                _ => self.deserialize_any(visitor),
            }
        }
    )*};
}

impl<'a> Deserializer<'a> for ValueDe<'a> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        let ctx = self.ctx;
        match self.value {
            Value::Str(s) => visitor.visit_borrowed_str(s),
            Value::Secret(s) => visitor.visit_borrowed_str(s.expose()),
            Value::Int(i) => visitor.visit_i64(*i),
            Value::Float(f) => visitor.visit_f64(*f),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::List(items) => {
                let mut seq = Seq { items: items.iter().enumerate(), ctx };
                let out = visitor.visit_seq(&mut seq)?;
                match seq.items.len() {
                    0 => Ok(out),
                    left => {
                        Err(de::Error::invalid_length(items.len(), &format!("{} items", items.len() - left).as_str()))
                    }
                }
            }
            Value::Dict(d) => visitor.visit_map(Dict { entries: d.iter(), current: None, ctx }),
        }
        .map_err(|e| self.fail(e))
    }

    integer! {
        deserialize_i8 visit_i8 i8;
        deserialize_i16 visit_i16 i16;
        deserialize_i32 visit_i32 i32;
        deserialize_u8 visit_u8 u8;
        deserialize_u16 visit_u16 u16;
        deserialize_u32 visit_u32 u32;
        deserialize_u64 visit_u64 u64;
        deserialize_u128 visit_u128 u128;
    }

    // Every value of an integer option fits these two.
    fn deserialize_i64<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_i128<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Value::Int(i) => visitor.visit_i128(i128::from(*i)).map_err(|e| self.fail(e)),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_f32<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            // An integer option read as a float: as oslo.config's FloatOpt
            // reads `5`.
            Value::Int(i) => visitor.visit_f64(*i as f64).map_err(|e| self.fail(e)),
            _ => self.deserialize_any(visitor),
        }
    }

    /// A value is there: unset options never reach a deserializer (a
    /// group leaves them out, `get_as` answers `None`).
    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self).map_err(|e| self.fail(e))
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if name == sourced::NAME && fields == sourced::FIELDS {
            return visitor.visit_map(SourcedAccess { de: self, next: 0 });
        }
        self.deserialize_any(visitor)
    }

    /// Enums from strings: unit variants, as a `choices` option holds.
    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let name = match self.value {
            Value::Str(s) => s.as_str(),
            Value::Secret(s) => s.expose(),
            _ => return self.deserialize_any(visitor),
        };
        visitor.visit_enum(UnitVariant(name)).map_err(|e| self.fail(e))
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        <W: Visitor<'a>>
        bool char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier
    }
}

/// A list's items.
struct Seq<'a> {
    items: std::iter::Enumerate<std::slice::Iter<'a, Value>>,
    ctx: Ctx<'a>,
}

impl<'a> SeqAccess<'a> for Seq<'a> {
    type Error = DeError;

    fn next_element_seed<S: DeserializeSeed<'a>>(&mut self, seed: S) -> Result<Option<S::Value>, DeError> {
        let Some((i, value)) = self.items.next() else { return Ok(None) };
        ValueDe { value, ctx: self.ctx }.give(seed).map(Some).map_err(|e| e.within(format_args!("[{i}]")))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// A dict's entries, keys as strings (or numbers and booleans, for maps
/// keyed by them).
struct Dict<'a> {
    entries: indexmap::map::Iter<'a, String, Value>,
    current: Option<(&'a str, &'a Value)>,
    ctx: Ctx<'a>,
}

impl<'a> MapAccess<'a> for Dict<'a> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'a>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        let Some((k, v)) = self.entries.next() else { return Ok(None) };
        self.current = Some((k, v));
        seed.deserialize(Key(k)).map(Some).map_err(|e| e.within(format_args!(".{k}")))
    }

    fn next_value_seed<S: DeserializeSeed<'a>>(&mut self, seed: S) -> Result<S::Value, DeError> {
        let Some((k, value)) = self.current.take() else {
            return Err(de::Error::custom("a dict value was asked for before its key"));
        };
        ValueDe { value, ctx: self.ctx }.give(seed).map_err(|e| e.within(format_args!(".{k}")))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// A dict key: text, read as a number or boolean when the map's key type
/// is one (`HashMap<u16, String>`).
struct Key<'a>(&'a str);

macro_rules! parsed_key {
    ($($method:ident $visit:ident $t:ty;)*) => {$(
        fn $method<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
            match self.0.parse::<$t>() {
                Ok(n) => visitor.$visit(n),
                Err(_) => Err(de::Error::invalid_value(Unexpected::Str(self.0), &concat!("a key that is ", stringify!($t)))),
            }
        }
    )*};
}

impl<'a> Deserializer<'a> for Key<'a> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_borrowed_str(self.0)
    }

    parsed_key! {
        deserialize_bool visit_bool bool;
        deserialize_i8 visit_i8 i8;
        deserialize_i16 visit_i16 i16;
        deserialize_i32 visit_i32 i32;
        deserialize_i64 visit_i64 i64;
        deserialize_i128 visit_i128 i128;
        deserialize_u8 visit_u8 u8;
        deserialize_u16 visit_u16 u16;
        deserialize_u32 visit_u32 u32;
        deserialize_u64 visit_u64 u64;
        deserialize_u128 visit_u128 u128;
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_enum(UnitVariant(self.0))
    }

    serde::forward_to_deserialize_any! {
        <W: Visitor<'a>>
        f32 f64 char str string bytes byte_buf option unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// A string read as an enum's unit variant.
struct UnitVariant<'a>(&'a str);

impl<'a> EnumAccess<'a> for UnitVariant<'a> {
    type Error = DeError;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'a>>(self, seed: S) -> Result<(S::Value, Self), DeError> {
        let variant = seed.deserialize(BorrowedStrDeserializer::<DeError>::new(self.0))?;
        Ok((variant, self))
    }
}

impl<'a> VariantAccess<'a> for UnitVariant<'a> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        Ok(())
    }

    fn newtype_variant_seed<S: DeserializeSeed<'a>>(self, _seed: S) -> Result<S::Value, DeError> {
        Err(de::Error::invalid_type(Unexpected::UnitVariant, &"a variant with data (an option gives only names)"))
    }

    fn tuple_variant<V: Visitor<'a>>(self, _len: usize, _visitor: V) -> Result<V::Value, DeError> {
        Err(de::Error::invalid_type(Unexpected::UnitVariant, &"a tuple variant (an option gives only names)"))
    }

    fn struct_variant<V: Visitor<'a>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, DeError> {
        Err(de::Error::invalid_type(Unexpected::UnitVariant, &"a struct variant (an option gives only names)"))
    }
}

/// [`Sourced`](super::Sourced)'s protocol: the origin, then the value.
struct SourcedAccess<'a> {
    de: ValueDe<'a>,
    next: u8,
}

impl<'a> MapAccess<'a> for SourcedAccess<'a> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'a>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        let key = match self.next {
            0 => sourced::ORIGIN_FIELD,
            1 => sourced::VALUE_FIELD,
            _ => return Ok(None),
        };
        seed.deserialize(BorrowedStrDeserializer::new(key)).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'a>>(&mut self, seed: S) -> Result<S::Value, DeError> {
        self.next += 1;
        match self.next {
            1 => seed.deserialize(OriginDeserializer(self.de.ctx.origin)),
            _ => self.de.give(seed),
        }
    }
}

/// A group: a map from each set option's dest to its value. Unset options
/// are left out, so `Option` fields read `None` and `#[serde(default)]`
/// fields their default; options the struct does not name are ignored.
struct GroupDe<'a>(&'a GroupValues);

impl<'a> Deserializer<'a> for GroupDe<'a> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_map(GroupAccess { opts: self.0.opts.iter(), current: None, group: self.0.name() })
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        <W: Visitor<'a>>
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct GroupAccess<'a> {
    opts: indexmap::map::Iter<'a, String, Resolved>,
    current: Option<(&'a str, &'a Resolved, &'a Value)>,
    group: &'a str,
}

impl<'a> MapAccess<'a> for GroupAccess<'a> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'a>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        for (dest, r) in self.opts.by_ref() {
            if let Some(v) = &r.value {
                self.current = Some((dest, r, v));
                return seed.deserialize(BorrowedStrDeserializer::new(dest)).map(Some);
            }
        }
        Ok(None)
    }

    fn next_value_seed<S: DeserializeSeed<'a>>(&mut self, seed: S) -> Result<S::Value, DeError> {
        let Some((option, r, value)) = self.current.take() else {
            return Err(de::Error::custom("an option's value was asked for before its name"));
        };
        ValueDe { value, ctx: Ctx { group: self.group, option, origin: &r.origin, secret: r.secret } }.give(seed)
    }
}

/// `group`'s option `option` (set: `r.value` is `Some`) as a `T`.
pub(super) fn option_as<T: DeserializeOwned>(
    group: &GroupValues,
    option: &str,
    r: &Resolved,
) -> Option<Result<T, AccessError>> {
    let value = r.value.as_ref()?;
    // Errors name the dest, whichever spelling the caller used.
    let dest = group
        .opts
        .get_key_value(option)
        .or_else(|| group.opts.get_key_value(&option.replace('-', "_")))
        .map_or(option, |(k, _)| k.as_str());
    let ctx = Ctx { group: group.name(), option: dest, origin: &r.origin, secret: r.secret };
    Some(ValueDe { value, ctx }.give(std::marker::PhantomData::<T>).map_err(|e| e.into_access(group)))
}

/// `group` as a `T` (a struct, a map...).
pub(super) fn group_as<T: DeserializeOwned>(group: &GroupValues) -> Result<T, AccessError> {
    T::deserialize(GroupDe(group)).map_err(|e| e.into_access(group))
}
