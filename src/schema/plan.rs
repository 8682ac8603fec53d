//! The plan pipeline: one ordered set of steps that turns Terraform's proposed new state into the
//! planned state, and a checker for the invariants Terraform enforces on that plan.
//!
//! Order matters, and each step says why it exists:
//! 1. destroy passes through: a null proposal is a null plan;
//! 2. defaults fill attributes the configuration leaves null, so removing a setting plans its default;
//! 3. computed attributes the configuration leaves null become unknown on create, and on update when
//!    anything changes (unless the attribute keeps its value across updates);
//! 4. attribute-level requires-replace compares planned against prior;
//! 5. the resource's own modify-plan hook runs last, seeing everything above;
//! 6. on replacement every computed attribute the configuration leaves null becomes unknown, since
//!    the new object gets new server-side values; write-only attributes are always planned null;
//! 7. requires-replace paths are sorted and deduplicated, and the result is checked against the
//!    invariants, so a provider bug surfaces as our error and never as Terraform's "invalid plan".

use super::def::{AttrType, Attribute, Block, Mode, Nesting, Schema};
use super::diag::Diagnostics;
use super::path::AttributePath;
use super::value::Value;

/// What the resource-level hook may look at and change.
pub struct PlanContext<'a, D> {
    /// The configured provider, when configuration has happened (plans of unconfigured
    /// providers, e.g. with unknown provider arguments, have none).
    pub data: Option<&'a D>,
    pub prior: &'a Value,
    pub config: &'a Value,
    pub planned: &'a mut Value,
    pub requires_replace: &'a mut Vec<AttributePath>,
    pub diags: &'a mut Diagnostics,
}

impl<D> PlanContext<'_, D> {
    pub fn is_create(&self) -> bool {
        self.prior.is_null()
    }
    /// The attribute is planned to differ from the prior state (unknown counts as a change).
    pub fn changes(&self, name: &str) -> bool {
        !self.prior.is_null() && self.planned.get(name) != self.prior.get(name)
    }
    pub fn replace(&mut self, name: &str) {
        self.requires_replace.push(AttributePath::attr(name));
    }
    pub fn set_unknown(&mut self, name: &str) {
        self.planned.set(name, Value::Unknown);
    }
}

/// The pipeline's result: the planned state and the attributes that force replacement.
pub struct Planned {
    pub planned: Value,
    pub requires_replace: Vec<AttributePath>,
    pub diags: Diagnostics,
}

pub fn plan<D>(
    schema: &Schema,
    data: Option<&D>,
    prior: &Value,
    proposed: &Value,
    config: &Value,
    hook: impl FnOnce(&mut PlanContext<'_, D>),
) -> Planned {
    let mut diags = Diagnostics::new();
    // 1. Destroy.
    if proposed.is_null() {
        return Planned {
            planned: Value::Null,
            requires_replace: Vec::new(),
            diags,
        };
    }
    let block = &schema.block;
    let mut planned = proposed.clone();
    // Write-only values are in the proposal (Terraform copies the configuration) but never in
    // the prior state: cleared first, so that a configured `*_wo` alone is not a change.
    null_write_only(block, &mut planned);
    // 2. Defaults.
    apply_defaults(block, config, &mut planned, true);
    // 3. Computed attributes become unknown where they will be (re)computed.
    if prior.is_null() {
        mark_computed_unknown(block, config, &mut planned, None);
    } else if planned != *prior {
        mark_computed_unknown(block, config, &mut planned, Some(prior));
    }
    // 4. Attribute-level replacement.
    let mut requires_replace = Vec::new();
    if !prior.is_null() {
        for a in block.attributes.iter().filter(|a| a.requires_replace) {
            // A computed value the configuration leaves to the provider cannot force replacement:
            // only a change the user asked for can.
            let provider_owned = a.is_computed() && config.get(&a.name).is_null();
            if !provider_owned && planned.get(&a.name) != prior.get(&a.name) {
                requires_replace.push(AttributePath::attr(&a.name));
            }
        }
    }
    // 5. The resource's own rules.
    let mut ctx = PlanContext {
        data,
        prior,
        config,
        planned: &mut planned,
        requires_replace: &mut requires_replace,
        diags: &mut diags,
    };
    hook(&mut ctx);
    // 6. Replacement re-computes everything server-side; write-only values never enter a plan.
    if !prior.is_null() && !requires_replace.is_empty() {
        for a in block
            .attributes
            .iter()
            .filter(|a| a.is_computed() && a.default.is_none())
        {
            if config.get(&a.name).is_null() {
                planned.set(&a.name, Value::Unknown);
            }
        }
    }
    null_write_only(block, &mut planned);
    // 7. Tidy and check.
    requires_replace.sort();
    requires_replace.dedup();
    if let Err(problem) = check_plan(schema, prior, config, &planned) {
        diags.error(
            "Provider produced an invalid plan",
            format!("This is a bug in terraform-provider-harbor; please report it with this text: {problem}"),
        );
    }
    Planned {
        planned,
        requires_replace,
        diags,
    }
}

fn apply_defaults(block: &Block, config: &Value, planned: &mut Value, top: bool) {
    if !matches!(planned, Value::Object(_)) {
        return;
    }
    for a in &block.attributes {
        if let Some(d) = &a.default {
            // At the top level the configuration decides; inside collections elements cannot be
            // correlated with the configuration, so a null planned value is the signal.
            let unset = if top {
                config.get(&a.name).is_null()
            } else {
                planned.get(&a.name).is_null()
            };
            if unset {
                planned.set(&a.name, d.clone());
            }
        }
        if let AttrType::Nested(_, inner) = &a.ty {
            let nested_block = Block {
                attributes: inner.clone(),
                ..Default::default()
            };
            if let Some(Value::Object(_)) = planned_attr_mut(planned, &a.name) {
                let v = planned_attr_mut(planned, &a.name).unwrap();
                apply_defaults(&nested_block, &Value::Null, v, false);
            } else if let Some(Value::List(items) | Value::Set(items) | Value::Tuple(items)) =
                planned_attr_mut(planned, &a.name)
            {
                for item in items {
                    apply_defaults(&nested_block, &Value::Null, item, false);
                }
            }
        }
    }
    for nb in &block.blocks {
        match planned_attr_mut(planned, &nb.name) {
            Some(v @ Value::Object(_)) => apply_defaults(&nb.block, &Value::Null, v, false),
            Some(Value::List(items) | Value::Set(items)) => {
                for item in items {
                    apply_defaults(&nb.block, &Value::Null, item, false);
                }
            }
            Some(Value::Map(m)) => {
                for item in m.values_mut() {
                    apply_defaults(&nb.block, &Value::Null, item, false);
                }
            }
            _ => {}
        }
    }
}

fn planned_attr_mut<'v>(v: &'v mut Value, name: &str) -> Option<&'v mut Value> {
    match v {
        Value::Object(m) => m.get_mut(name),
        _ => None,
    }
}

fn mark_computed_unknown(
    block: &Block,
    config: &Value,
    planned: &mut Value,
    prior: Option<&Value>,
) {
    for a in &block.attributes {
        if !a.is_computed() || a.default.is_some() || !config.get(&a.name).is_null() {
            continue;
        }
        let keep = prior.is_some() && a.use_state_for_unknown;
        if !keep {
            planned.set(&a.name, Value::Unknown);
        }
    }
}

fn null_write_only(block: &Block, planned: &mut Value) {
    for a in block.attributes.iter().filter(|a| a.write_only) {
        planned.set(&a.name, Value::Null);
    }
}

/// Checks a planned state against the rules Terraform applies to plans (`objchange.AssertPlanValid`):
/// planned is null exactly when config is; every attribute equals its configuration, or keeps its
/// prior value, or is computed where the configuration is null; block counts follow the configuration.
pub fn check_plan(
    schema: &Schema,
    prior: &Value,
    config: &Value,
    planned: &Value,
) -> Result<(), String> {
    if planned.is_null() != config.is_null() {
        return Err("the planned object must be null exactly when the configuration is".into());
    }
    if planned.is_null() {
        return Ok(());
    }
    check_block(
        &schema.block,
        prior,
        config,
        planned,
        &AttributePath::root(),
    )
}

fn check_block(
    block: &Block,
    prior: &Value,
    config: &Value,
    planned: &Value,
    path: &AttributePath,
) -> Result<(), String> {
    if planned.is_unknown() {
        return Err(format!("{path}: a block cannot be planned as unknown"));
    }
    for a in &block.attributes {
        check_attribute(
            a,
            prior.get(&a.name),
            config.get(&a.name),
            planned.get(&a.name),
            &path.join_attr(&a.name),
        )?;
    }
    for nb in &block.blocks {
        let p = path.join_attr(&nb.name);
        let (c, pl) = (config.get(&nb.name), planned.get(&nb.name));
        match nb.nesting {
            Nesting::List | Nesting::Set | Nesting::Map => {
                if pl.is_null() || pl.is_unknown() {
                    return Err(format!(
                        "{p}: collection blocks are never null or unknown in a plan"
                    ));
                }
                let (cn, pn) = match (c, pl) {
                    (Value::Map(cm), Value::Map(pm)) => (cm.len(), pm.len()),
                    _ => (c.elements().len(), pl.elements().len()),
                };
                if cn != pn {
                    return Err(format!(
                        "{p}: the plan has {pn} blocks where the configuration has {cn}"
                    ));
                }
                if nb.nesting == Nesting::List {
                    let pr = prior.get(&nb.name).elements();
                    for (i, (ce, pe)) in c.elements().iter().zip(pl.elements()).enumerate() {
                        check_block(
                            &nb.block,
                            pr.get(i).unwrap_or(&Value::Null),
                            ce,
                            pe,
                            &p.join_index(i),
                        )?;
                    }
                }
            }
            Nesting::Single | Nesting::Group => {
                if nb.nesting == Nesting::Single && c.is_null() != pl.is_null() {
                    return Err(format!(
                        "{p}: a single block is planned null exactly when configured null"
                    ));
                }
                if !pl.is_null() {
                    check_block(&nb.block, prior.get(&nb.name), c, pl, &p)?;
                }
            }
        }
    }
    Ok(())
}

fn check_attribute(
    a: &Attribute,
    prior: &Value,
    config: &Value,
    planned: &Value,
    path: &AttributePath,
) -> Result<(), String> {
    if a.write_only {
        return match planned.is_null() {
            true => Ok(()),
            false => Err(format!(
                "{path}: write-only attributes must be planned null"
            )),
        };
    }
    if planned == config {
        return Ok(());
    }
    if !config.is_null() && !prior.is_null() && planned == prior {
        return Ok(());
    }
    if config.is_null() && a.is_computed() {
        return Ok(());
    }
    // Nested attributes whose config is set may still have computed inner attributes filled in.
    if let (AttrType::Nested(nesting, inner), false) =
        (&a.ty, config.is_null() || config.is_unknown())
    {
        if planned.is_unknown() {
            return Err(format!("{path}: configured value planned as unknown"));
        }
        let inner_block = Block {
            attributes: inner.clone(),
            ..Default::default()
        };
        match nesting {
            Nesting::Single | Nesting::Group => {
                return check_block(&inner_block, prior, config, planned, path);
            }
            Nesting::List => {
                if config.elements().len() != planned.elements().len() {
                    return Err(format!(
                        "{path}: planned element count differs from the configuration"
                    ));
                }
                for (i, (c, p)) in config.elements().iter().zip(planned.elements()).enumerate() {
                    check_block(
                        &inner_block,
                        prior.elements().get(i).unwrap_or(&Value::Null),
                        c,
                        p,
                        &path.join_index(i),
                    )?;
                }
                return Ok(());
            }
            // Set and map elements cannot be correlated with the configuration; Terraform trusts them too.
            Nesting::Set | Nesting::Map => return Ok(()),
        }
    }
    let how = match a.mode {
        Mode::Required | Mode::Optional => {
            "a non-computed attribute must be planned exactly as configured"
        }
        _ => "a configured computed attribute must be planned as configured or as its prior value",
    };
    Err(format!(
        "{path}: {how} (config {config:?}, planned {planned:?})"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::def::{Attribute, Block, Schema};

    fn schema() -> Schema {
        Schema::new(
            0,
            Block::new("test")
                .attr(
                    Attribute::string("name")
                        .required()
                        .requires_replace()
                        .describe("d"),
                )
                .attr(
                    Attribute::number("id")
                        .computed()
                        .use_state_for_unknown()
                        .describe("d"),
                )
                .attr(Attribute::string("updated").computed().describe("d"))
                .attr(Attribute::bool("public").default(false).describe("d"))
                .attr(Attribute::string("note").optional().describe("d"))
                .attr(
                    Attribute::string("secret_wo")
                        .optional()
                        .write_only()
                        .describe("d"),
                ),
        )
    }

    fn obj(items: &[(&str, Value)]) -> Value {
        let mut v = Value::null_object(&schema().ty());
        for (k, x) in items {
            v.set(k, x.clone());
        }
        v
    }

    fn run(prior: &Value, config: &Value) -> Planned {
        // Terraform's proposed state: config, with computed attributes taken from prior where config is null.
        let mut proposed = config.clone();
        if !config.is_null() {
            for a in &schema().block.attributes {
                if a.is_computed() && config.get(&a.name).is_null() {
                    proposed.set(&a.name, prior.get(&a.name).clone());
                }
            }
        }
        plan::<()>(&schema(), None, prior, &proposed, config, |_| {})
    }

    /// Scenario table: (name, prior, config, expected planned attributes, expected replace paths).
    #[test]
    fn pipeline_scenarios() {
        let prior = obj(&[
            ("name", "a".into()),
            ("id", Value::int(7)),
            ("updated", "t1".into()),
            ("public", true.into()),
        ]);
        type Scenario = (
            &'static str,
            Value,
            Value,
            Vec<(&'static str, Value)>,
            Vec<&'static str>,
        );
        let cases: Vec<Scenario> = vec![
            (
                "create: computed unknown, default filled, write-only nulled",
                Value::Null,
                obj(&[("name", "a".into()), ("secret_wo", "s".into())]),
                vec![
                    ("id", Value::Unknown),
                    ("updated", Value::Unknown),
                    ("public", false.into()),
                    ("secret_wo", Value::Null),
                ],
                vec![],
            ),
            (
                "no change: prior kept, nothing unknown",
                prior.clone(),
                obj(&[("name", "a".into()), ("public", true.into())]),
                vec![("id", Value::int(7)), ("updated", "t1".into())],
                vec![],
            ),
            (
                "a configured write-only value alone is no change: nothing unknown",
                prior.clone(),
                obj(&[
                    ("name", "a".into()),
                    ("public", true.into()),
                    ("secret_wo", "s".into()),
                ]),
                vec![
                    ("id", Value::int(7)),
                    ("updated", "t1".into()),
                    ("secret_wo", Value::Null),
                ],
                vec![],
            ),
            (
                "removing a defaulted setting plans the default and unknowns the volatile computed",
                prior.clone(),
                obj(&[("name", "a".into())]),
                vec![
                    ("public", false.into()),
                    ("id", Value::int(7)),
                    ("updated", Value::Unknown),
                ],
                vec![],
            ),
            (
                "renaming forces replacement and every computed becomes unknown",
                prior.clone(),
                obj(&[("name", "b".into()), ("public", true.into())]),
                vec![("id", Value::Unknown), ("updated", Value::Unknown)],
                vec!["name"],
            ),
            (
                "unknown configured name forces replacement",
                prior.clone(),
                obj(&[("name", Value::Unknown), ("public", true.into())]),
                vec![("name", Value::Unknown)],
                vec!["name"],
            ),
        ];
        for (name, prior, config, expect, replace) in cases {
            let p = run(&prior, &config);
            assert!(!p.diags.has_errors(), "{name}: {:?}", p.diags);
            for (attr, want) in expect {
                assert_eq!(p.planned.get(attr), &want, "{name}: attribute {attr}");
            }
            let got: Vec<String> = p.requires_replace.iter().map(|p| p.to_string()).collect();
            assert_eq!(got, replace, "{name}");
        }
    }

    #[test]
    fn destroy_plans_null() {
        let p = plan::<()>(
            &schema(),
            None,
            &obj(&[("name", "a".into())]),
            &Value::Null,
            &Value::Null,
            |_| {},
        );
        assert!(p.planned.is_null());
    }

    #[test]
    fn checker_rejects_what_terraform_rejects() {
        let config = obj(&[("name", "a".into())]);
        let bad = obj(&[("name", "b".into())]);
        assert!(
            check_plan(&schema(), &Value::Null, &config, &bad)
                .unwrap_err()
                .contains("name")
        );
        let bad_note = obj(&[("name", "a".into()), ("note", "x".into())]);
        assert!(check_plan(&schema(), &Value::Null, &config, &bad_note).is_err());
        let ok = obj(&[
            ("name", "a".into()),
            ("id", Value::Unknown),
            ("public", false.into()),
        ]);
        assert!(check_plan(&schema(), &Value::Null, &config, &ok).is_ok());
        assert!(check_plan(&schema(), &Value::Null, &config, &Value::Null).is_err());
    }

    #[test]
    fn a_hook_that_breaks_an_invariant_becomes_our_error() {
        let config = obj(&[("name", "a".into())]);
        let p = plan::<()>(&schema(), None, &Value::Null, &config, &config, |ctx| {
            ctx.planned.set("note", "x".into())
        });
        assert!(p.diags.has_errors());
    }
}
