//! The registry: every group and option an application knows.

use indexmap::IndexMap;

use super::deprecation::{Compound, DeprecatedName};
use super::opt::Opt;

/// The name of the default group.
pub const DEFAULT_GROUP: &str = "DEFAULT";

/// How oslo.config compares group names: `DEFAULT` exactly, every other
/// group without regard to case (`[Keystone_AuthToken]` is
/// `keystone_authtoken`; `[default]` is a group named `default`).
pub fn normalize_group(name: &str) -> String {
    if name == DEFAULT_GROUP { name.to_owned() } else { name.to_lowercase() }
}

/// Why a registration was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// The same option name was registered twice with different definitions
    /// (oslo.config's `DuplicateOptError`).
    #[error("option \"{option}\" in group \"{group}\" is already registered with a different definition")]
    Duplicate {
        /// The group.
        group: String,
        /// The option.
        option: String,
    },
    /// The declaration itself is wrong (bad bounds, a default the type
    /// rejects, a compound whose target is not registered...).
    #[error("option \"{option}\" in group \"{group}\": {reason}")]
    Invalid {
        /// The group.
        group: String,
        /// The option.
        option: String,
        /// What is wrong.
        reason: String,
    },
}

/// A named group of options, such as `[keystone_authtoken]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Group {
    name: String,
    help: String,
    opts: IndexMap<String, Opt>,
    compounds: Vec<Compound>,
    /// Old names for options by dest, added to the option whenever it is
    /// registered (see [`Registry::add_deprecated_names`]).
    renames: IndexMap<String, Vec<DeprecatedName>>,
}

impl Group {
    /// The group's name as registered.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The group's help text.
    pub fn help(&self) -> &str {
        &self.help
    }

    /// The options, in registration order.
    pub fn opts(&self) -> impl ExactSizeIterator<Item = &Opt> {
        self.opts.values()
    }

    /// The option whose dest (or name) is `name`.
    pub fn opt(&self, name: &str) -> Option<&Opt> {
        self.opts.get(name).or_else(|| self.opts.get(&name.replace('-', "_")))
    }

    /// The compound deprecations whose target is in this group.
    pub fn compounds(&self) -> &[Compound] {
        &self.compounds
    }

    /// The old names added to options of this group by
    /// [`Registry::add_deprecated_names`], by the options' dest.
    pub fn renames(&self) -> impl Iterator<Item = (&str, &[DeprecatedName])> {
        self.renames.iter().map(|(d, n)| (d.as_str(), n.as_slice()))
    }

    /// `opt` with the old names this group keeps for it.
    fn renamed(&self, opt: Opt) -> Opt {
        let Some(names) = self.renames.get(opt.dest()) else { return opt };
        names.iter().fold(opt, |o, n| if o.deprecated_names().contains(n) { o } else { o.deprecated_name(n.clone()) })
    }
}

/// Every group and option an application knows, in registration order.
///
/// ```
/// use stackauth::opt::{Opt, OptType, Registry};
/// let mut reg = Registry::new();
/// reg.register_opt("keystone_authtoken", Opt::new("auth_url", OptType::uri())).unwrap();
/// // Registering the same option again is a no-op...
/// reg.register_opt("keystone_authtoken", Opt::new("auth_url", OptType::uri())).unwrap();
/// // ...but a different definition under the same name is an error.
/// assert!(reg.register_opt("keystone_authtoken", Opt::new("auth_url", OptType::integer())).is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Registry {
    groups: IndexMap<String, Group>,
    /// What resolution derives from the options (their names, variables,
    /// index), kept until the registry changes.
    derived: Derived,
}

/// A value computed from a registry once and kept until the registry
/// changes: every mutation goes through `group_entry`, which drops it.
#[derive(Clone, Default)]
struct Derived(std::sync::OnceLock<std::sync::Arc<dyn std::any::Any + Send + Sync>>);

// Derived from the options: not part of the registry's value.
impl PartialEq for Derived {
    fn eq(&self, _: &Derived) -> bool {
        true
    }
}

impl std::fmt::Debug for Derived {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() { "Derived(kept)" } else { "Derived(none)" })
    }
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Registers a group (if new) and sets its help text.
    pub fn register_group(&mut self, name: &str, help: &str) {
        let group = self.group_entry(name);
        if !help.is_empty() {
            group.help = help.to_owned();
        }
    }

    /// Registers `opt` in `group`; the group is created when new.
    pub fn register_opt(&mut self, group: &str, opt: Opt) -> Result<(), RegistryError> {
        let invalid =
            |reason| RegistryError::Invalid { group: group.to_owned(), option: opt.name().to_owned(), reason };
        opt.check().map_err(invalid)?;
        let g = self.group_entry(group);
        let opt = g.renamed(opt);
        match g.opts.get(opt.dest()) {
            Some(existing) if *existing == opt => Ok(()),
            Some(_) => Err(RegistryError::Duplicate { group: group.to_owned(), option: opt.name().to_owned() }),
            None => {
                g.opts.insert(opt.dest().to_owned(), opt);
                Ok(())
            }
        }
    }

    /// Registers several options in `group`, stopping at the first error.
    pub fn register_opts(&mut self, group: &str, opts: impl IntoIterator<Item = Opt>) -> Result<(), RegistryError> {
        opts.into_iter().try_for_each(|o| self.register_opt(group, o))
    }

    /// Registers each of `opts` in `group` unless an option with its dest is
    /// already there (that one is kept as it is): how a plugin's or a
    /// library's options join a group the application may have declared
    /// some of itself (keystonemiddleware has its own `cafile`).
    pub fn register_opts_if_absent(
        &mut self,
        group: &str,
        opts: impl IntoIterator<Item = Opt>,
    ) -> Result<(), RegistryError> {
        for o in opts {
            if self.find(group, o.dest()).is_none() {
                self.register_opt(group, o)?;
            }
        }
        Ok(())
    }

    /// Gives option `name` of `group` older names (or older groups) it is
    /// also read under, with deprecation findings when they are used: now
    /// if the option is registered, and otherwise whenever it is.
    ///
    /// This is how an application that used its own option names maps them
    /// onto options a library registers later, such as an auth plugin's
    /// (registered once `auth_type` is known): keystoneauth's
    /// `deprecated_opts`.
    ///
    /// ```
    /// use stackauth::opt::{DeprecatedName, Opt, Registry};
    /// let mut reg = Registry::new();
    /// reg.add_deprecated_names("myapp", "username", [DeprecatedName::name("admin_user")]).unwrap();
    /// reg.register_opt("myapp", Opt::string("username")).unwrap();
    /// assert_eq!(reg.find("myapp", "username").unwrap().deprecated_names(), [DeprecatedName::name("admin_user")]);
    /// ```
    ///
    /// An old name that is the current name of another option of the group
    /// is refused.
    pub fn add_deprecated_names(
        &mut self,
        group: &str,
        name: &str,
        names: impl IntoIterator<Item = DeprecatedName>,
    ) -> Result<(), RegistryError> {
        let dest = name.replace('-', "_");
        let g = self.group_entry(group);
        for n in names {
            let old = n.name.as_deref().map(|o| o.replace('-', "_"));
            if n.group.is_none() && old.as_deref().is_some_and(|o| o != dest && g.opts.contains_key(o)) {
                return Err(RegistryError::Invalid {
                    group: group.to_owned(),
                    option: name.to_owned(),
                    reason: format!("{:?} is the name of another option of the group", n.name.unwrap_or_default()),
                });
            }
            let list = g.renames.entry(dest.clone()).or_default();
            if !list.contains(&n) {
                list.push(n);
            }
        }
        if let Some(existing) = g.opts.get(&dest).cloned() {
            let renamed = g.renamed(existing);
            g.opts.insert(dest, renamed);
        }
        Ok(())
    }

    /// Registers a compound deprecation in `group`; its target must already
    /// be registered there, and its template may name only its parts.
    pub fn register_compound(&mut self, group: &str, compound: Compound) -> Result<(), RegistryError> {
        let invalid = |reason: String| RegistryError::Invalid {
            group: group.to_owned(),
            option: compound.target.clone(),
            reason,
        };
        if self.find(group, &compound.target).is_none() {
            return Err(invalid("the target of a compound deprecation must be registered first".into()));
        }
        for seg in &compound.template {
            if let super::deprecation::Segment::Part { name, .. } = seg {
                if compound.part(name).is_none() {
                    return Err(invalid(format!("the template names {name:?}, which is not one of its parts")));
                }
            }
        }
        for part in &compound.parts {
            part.opt_type
                .parse_str(&part.default)
                .map_err(|e| invalid(format!("legacy default of {:?} is not valid: {e}", part.name)))?;
        }
        let g = self.group_entry(group);
        if !g.compounds.contains(&compound) {
            g.compounds.push(compound);
        }
        Ok(())
    }

    /// Registers every option and compound of another registry (a
    /// namespace), with the same duplicate rules.
    pub fn merge(&mut self, other: &Registry) -> Result<(), RegistryError> {
        for g in other.groups() {
            self.register_group(g.name(), g.help());
            for (dest, names) in g.renames() {
                self.add_deprecated_names(g.name(), dest, names.iter().cloned())?;
            }
            for o in g.opts() {
                self.register_opt(g.name(), o.clone())?;
            }
            for c in g.compounds() {
                self.register_compound(g.name(), c.clone())?;
            }
        }
        Ok(())
    }

    /// The group called `name` (compared as oslo.config compares).
    pub fn group(&self, name: &str) -> Option<&Group> {
        self.groups.get(&normalize_group(name))
    }

    /// Every group, in registration order.
    pub fn groups(&self) -> impl ExactSizeIterator<Item = &Group> {
        self.groups.values()
    }

    /// The option `name` in `group`.
    pub fn find(&self, group: &str, name: &str) -> Option<&Opt> {
        self.group(group)?.opt(name)
    }

    /// How many options are registered in all.
    pub fn len(&self) -> usize {
        self.groups.values().map(|g| g.opts.len()).sum()
    }

    /// Whether no option is registered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `make(self)`, computed once per version of this registry (a copy
    /// shares it until either changes). One type per registry: another
    /// type is computed afresh each time.
    pub(crate) fn derived<T: std::any::Any + Send + Sync>(
        &self,
        make: impl FnOnce(&Registry) -> T,
    ) -> std::sync::Arc<T> {
        if let Some(kept) = self.derived.0.get() {
            if let Ok(t) = kept.clone().downcast::<T>() {
                return t;
            }
            return std::sync::Arc::new(make(self));
        }
        let t = std::sync::Arc::new(make(self));
        let _ = self.derived.0.set(t.clone());
        t
    }

    fn group_entry(&mut self, name: &str) -> &mut Group {
        self.derived = Derived::default();
        self.groups.entry(normalize_group(name)).or_insert_with(|| Group { name: name.to_owned(), ..Group::default() })
    }
}
