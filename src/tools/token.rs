//! `stackauth token` and `stackauth endpoint`: what they print, and which
//! endpoint they look for.

use serde_json::{Value, json};

use crate::auth::time::format_iso8601;
use crate::auth::{AccessInfo, AdapterOptions, EndpointFilter, IdName, Interface};
use crate::session::redact::token_hash;
use crate::session::{EndpointData, Version};

/// A token's metadata as JSON: user, project, domain, system scope, roles,
/// expiry, audit ids, methods, catalog; the token itself only with
/// `reveal` (otherwise as `{SHA256}<hex>`).
pub fn token_json(t: &AccessInfo, reveal: bool) -> Value {
    let name = |i: &IdName| i.name.clone().or_else(|| i.id.clone()).unwrap_or_default();
    json!({
        "user": {"id": t.user.ident.id, "name": t.user.ident.name, "domain": t.user.domain.as_ref().map(name)},
        "project": t.project.as_ref().map(|p| json!({"id": p.ident.id, "name": p.ident.name, "domain": p.domain.as_ref().map(name)})),
        "domain": t.domain.as_ref().map(name),
        "system": t.system_all,
        "roles": t.role_names(),
        "expires_at": format_iso8601(t.expires_at),
        "audit_ids": t.audit_ids,
        "methods": t.methods,
        "catalog": t.catalog.endpoints().iter().map(|e| format!("{} {} {}", e.service_type, e.interface.as_str(), e.url)).collect::<Vec<_>>(),
        "token": if reveal { json!(t.token.expose()) } else { json!(token_hash(&t.token)) },
    })
}

/// [`token_json`] as `key: value` lines.
pub fn token_text(v: &Value) -> String {
    let mut out = String::new();
    for (k, val) in v.as_object().into_iter().flatten() {
        let text = match val.as_str() {
            Some(s) => s.to_owned(),
            None => val.to_string(),
        };
        out.push_str(&format!("{k}: {text}\n"));
    }
    out
}

/// What to look for in the catalog: `service_type` through `interfaces`
/// (else the loaded adapter settings' interfaces, else `public`) in
/// `region` (else the adapter settings' region). An interface that is not
/// public, internal or admin is an error naming it.
pub fn endpoint_filter(
    service_type: &str,
    interfaces: &[String],
    region: Option<&str>,
    adapter: &AdapterOptions,
) -> Result<EndpointFilter, String> {
    let mut f = EndpointFilter::new(service_type);
    f.interfaces = if !interfaces.is_empty() {
        interfaces
            .iter()
            .map(|i| Interface::parse(i).ok_or_else(|| format!("{i:?} is not an interface (public, internal, admin)")))
            .collect::<Result<Vec<_>, _>>()?
    } else if !adapter.interfaces.is_empty() {
        adapter.interfaces.clone()
    } else {
        vec![Interface::Public]
    };
    f.region_name = region.map(str::to_owned).or_else(|| adapter.region_name.clone());
    Ok(f)
}

/// What discovery found about an endpoint, as JSON.
pub fn endpoint_json(d: &EndpointData) -> Value {
    let show = |v: Option<Version>| v.map(|v| v.to_string());
    json!({
        "service_type": d.service_type,
        "url": d.url,
        "catalog_url": d.catalog_url,
        "api_version": show(d.api_version),
        "min_microversion": show(d.min_microversion),
        "max_microversion": show(d.max_microversion),
        "interface": d.interface.map(|i| i.as_str()),
        "region": d.region,
    })
}
