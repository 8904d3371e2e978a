//! `Sourced<T>`: a deserialized value that keeps where it came from.
//!
//! serde has no way to hand a deserializer's context to a field, so this
//! works as cargo's `Value<T>` does: `Sourced<T>` asks for a struct with a
//! private name and two private fields, the snapshot's deserializer
//! recognises that name and answers with the option's origin (encoded as a
//! short sequence) and then its value. Any other deserializer meets the
//! private names as an ordinary struct and fails with a clear message.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::origin::{Location, Origin};

/// The struct name `Sourced<T>` asks for; the snapshot's deserializer
/// answers it with the origin, then the value.
pub(super) const NAME: &str = "$__stackauth_private_Sourced";
/// The field that carries the origin.
pub(super) const ORIGIN_FIELD: &str = "$__stackauth_private_origin";
/// The field that carries the value.
pub(super) const VALUE_FIELD: &str = "$__stackauth_private_value";
/// Both fields, in the order the deserializer yields them.
pub(super) const FIELDS: &[&str] = &[ORIGIN_FIELD, VALUE_FIELD];

const ONLY_FROM_SNAPSHOT: &str =
    "Sourced<T> can only be read from a stackauth Snapshot (Snapshot::get_as or Snapshot::group_as)";

/// A value deserialized from a [`Snapshot`](super::Snapshot) together with
/// the [`Origin`] of the option it came from: a file position, an
/// environment variable, a command-line flag, a default.
///
/// Use it as a field of a struct given to
/// [`group_as`](super::Snapshot::group_as) (or as the type of
/// [`get_as`](super::Snapshot::get_as)) to say, later, where a value that
/// turned out to be wrong was written. It dereferences to the value. Items
/// of a list or dict option share the option's origin. An unset option has
/// no value to carry: use `Option<Sourced<T>>` for options that may be
/// unset.
///
/// It reads only from a snapshot; any other serde deserializer gives an
/// error.
///
/// ```
/// use serde::Deserialize;
/// use stackauth::opt::{Opt, OptType, Registry};
/// use stackauth::snapshot::Sourced;
/// use stackauth::source::{Env, Origin};
/// use stackauth::Loader;
///
/// let mut registry = Registry::new();
/// registry.register_opts("api", [
///     Opt::new("port", OptType::port()).default("8080"),
///     Opt::string("host").default("0.0.0.0"),
/// ]).unwrap();
/// let snapshot = Loader::new(&registry)
///     .env(Env::from_pairs([("OS_API__PORT", "9292")]))
///     .load()
///     .unwrap();
///
/// #[derive(Deserialize)]
/// struct Api { port: Sourced<u16>, host: Sourced<String> }
/// let api: Api = snapshot.group_as("api").unwrap();
/// assert_eq!(*api.port, 9292);
/// assert_eq!(api.port.origin.to_string(), "environment variable OS_API__PORT");
/// assert_eq!((api.host.as_str(), &api.host.origin), ("0.0.0.0", &Origin::Default));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Where the option's value came from.
    pub origin: Origin,
}

impl<T> Sourced<T> {
    /// The value, without its origin.
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T> Deref for Sourced<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> AsRef<T> for Sourced<T> {
    fn as_ref(&self) -> &T {
        &self.value
    }
}

impl<T: fmt::Display> fmt::Display for Sourced<T> {
    /// The value's own `Display` (a [`Secret`](crate::opt::Secret) stays
    /// `****`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<'de, T: de::Deserialize<'de>> de::Deserialize<'de> for Sourced<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: de::Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Sourced<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(ONLY_FROM_SNAPSHOT)
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Sourced<T>, A::Error> {
                // The order is the protocol: origin first, then value.
                if map.next_key_seed(Field(ORIGIN_FIELD))?.is_none() {
                    return Err(de::Error::custom(ONLY_FROM_SNAPSHOT));
                }
                let OriginRepr(origin) = map.next_value()?;
                if map.next_key_seed(Field(VALUE_FIELD))?.is_none() {
                    return Err(de::Error::custom(ONLY_FROM_SNAPSHOT));
                }
                let value = map.next_value()?;
                Ok(Sourced { value, origin })
            }
        }
        d.deserialize_struct(NAME, FIELDS, V(PhantomData))
    }
}

/// Accepts exactly one key of the protocol.
struct Field(&'static str);

impl<'de> DeserializeSeed<'de> for Field {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_identifier(self)
    }
}

impl Visitor<'_> for Field {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(ONLY_FROM_SNAPSHOT)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        if v == self.0 { Ok(()) } else { Err(E::custom(ONLY_FROM_SNAPSHOT)) }
    }
}

/// An origin as the protocol's sequence: a kind, then the kind's parts.
/// The snapshot's deserializer writes it ([`OriginDeserializer`]), the
/// `Sourced` visitor reads it back.
struct OriginRepr(Origin);

const FILE: &str = "file";
const ENV: &str = "env";
const CLI: &str = "cli";
const DEFAULT: &str = "default";
const SET_DEFAULT: &str = "set_default";
const OVERRIDE: &str = "override";
const SOURCE: &str = "source";
const SECRET_STORE: &str = "secret_store";

impl<'de> de::Deserialize<'de> for OriginRepr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OriginRepr;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(ONLY_FROM_SNAPSHOT)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OriginRepr, A::Error> {
                fn part<'de, T: de::Deserialize<'de>, A: SeqAccess<'de>>(seq: &mut A) -> Result<T, A::Error> {
                    seq.next_element()?.ok_or_else(|| de::Error::custom(ONLY_FROM_SNAPSHOT))
                }
                let kind: String = part(&mut seq)?;
                let origin = match kind.as_str() {
                    FILE => {
                        let PathRepr(path) = part(&mut seq)?;
                        Origin::File(Location { path: Arc::from(path), line: part(&mut seq)?, column: part(&mut seq)? })
                    }
                    ENV => Origin::Env { var: part(&mut seq)? },
                    CLI => Origin::Cli { flag: part(&mut seq)? },
                    DEFAULT => Origin::Default,
                    SET_DEFAULT => Origin::SetDefault,
                    OVERRIDE => Origin::Override,
                    SOURCE => Origin::Source { name: part(&mut seq)? },
                    SECRET_STORE => Origin::SecretStore { name: part(&mut seq)? },
                    _ => return Err(de::Error::custom(ONLY_FROM_SNAPSHOT)),
                };
                Ok(OriginRepr(origin))
            }
        }
        d.deserialize_seq(V)
    }
}

/// A path as bytes (Unix paths need not be UTF-8) or, elsewhere, text.
struct PathRepr(PathBuf);

impl<'de> de::Deserialize<'de> for PathRepr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = PathRepr;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a path")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<PathRepr, E> {
                Ok(PathRepr(PathBuf::from(v)))
            }

            #[cfg(unix)]
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<PathRepr, E> {
                use std::os::unix::ffi::OsStrExt;
                Ok(PathRepr(PathBuf::from(std::ffi::OsStr::from_bytes(v))))
            }
        }
        d.deserialize_bytes(V)
    }
}

/// Yields an origin as the sequence [`OriginRepr`] reads.
pub(super) struct OriginDeserializer<'a>(pub(super) &'a Origin);

/// One part of an encoded origin.
enum Part<'a> {
    Str(&'a str),
    Path(&'a std::path::Path),
    U32(u32),
}

impl<'de> Deserializer<'de> for OriginDeserializer<'_> {
    type Error = super::de::DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        let parts = match self.0 {
            Origin::File(loc) => {
                vec![Part::Str(FILE), Part::Path(&loc.path), Part::U32(loc.line), Part::U32(loc.column)]
            }
            Origin::Env { var } => vec![Part::Str(ENV), Part::Str(var)],
            Origin::Cli { flag } => vec![Part::Str(CLI), Part::Str(flag)],
            Origin::Default => vec![Part::Str(DEFAULT)],
            Origin::SetDefault => vec![Part::Str(SET_DEFAULT)],
            Origin::Override => vec![Part::Str(OVERRIDE)],
            Origin::Source { name } => vec![Part::Str(SOURCE), Part::Str(name)],
            Origin::SecretStore { name } => vec![Part::Str(SECRET_STORE), Part::Str(name)],
        };
        visitor.visit_seq(Parts(parts.into_iter()))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct Parts<'a>(std::vec::IntoIter<Part<'a>>);

impl<'de> SeqAccess<'de> for Parts<'_> {
    type Error = super::de::DeError;

    fn next_element_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>, Self::Error> {
        use serde::de::IntoDeserializer;
        let Some(part) = self.0.next() else { return Ok(None) };
        match part {
            Part::Str(s) => seed.deserialize(s.into_deserializer()),
            Part::U32(n) => seed.deserialize(n.into_deserializer()),
            #[cfg(unix)]
            Part::Path(p) => {
                use std::os::unix::ffi::OsStrExt;
                seed.deserialize(de::value::BytesDeserializer::new(p.as_os_str().as_bytes()))
            }
            #[cfg(not(unix))]
            Part::Path(p) => seed.deserialize(p.to_string_lossy().as_ref().into_deserializer()),
        }
        .map(Some)
    }
}
