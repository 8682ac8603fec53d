//! Property tests for the plan pipeline: for random prior states, configurations and proposals
//! shaped by every resource schema the provider serves, the planned state sent to Terraform always
//! satisfies Terraform's plan invariants, and requires-replace paths are sorted, unique and name
//! top-level attributes.
//!
//! The generator is a seeded xorshift, so a failure names its seed and reproduces exactly.

use terraform_provider_harbor::protocol::service::ProviderService;
use terraform_provider_harbor::provider::HarborProvider;
use terraform_provider_harbor::schema::def::{Block, Mode, Nesting};
use terraform_provider_harbor::schema::diag::Severity;
use terraform_provider_harbor::schema::plan::plan;
use terraform_provider_harbor::schema::value::Number;
use terraform_provider_harbor::schema::{Schema, Type, Value};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const STRINGS: &[&str] = &[
    "",
    "a",
    "ci",
    "push",
    "project",
    "system",
    "/",
    "0 0 2 * * *",
    "manual",
    "high",
];

fn random_value(rng: &mut Rng, ty: &Type, depth: u32) -> Value {
    match ty {
        Type::String => Value::from(STRINGS[rng.below(STRINGS.len() as u64) as usize]),
        Type::Number => match rng.below(3) {
            0 => Value::int(rng.below(5) as i64 - 1),
            1 => Value::Number(Number::Float(1.5)),
            _ => Value::int(rng.below(1 << 20) as i64),
        },
        Type::Bool => Value::Bool(rng.chance(50)),
        Type::List(e) | Type::Set(e) => {
            let n = if depth > 3 { 0 } else { rng.below(3) };
            let items = (0..n).map(|_| random_value(rng, e, depth + 1)).collect();
            if matches!(ty, Type::Set(_)) {
                Value::Set(items)
            } else {
                Value::List(items)
            }
        }
        Type::Map(e) => {
            let n = if depth > 3 { 0 } else { rng.below(3) };
            Value::Map(
                (0..n)
                    .map(|i| (format!("k{i}"), random_value(rng, e, depth + 1)))
                    .collect(),
            )
        }
        Type::Object(attrs) => Value::Object(
            attrs
                .iter()
                .map(|(k, t)| (k.clone(), maybe_null(rng, t, depth + 1)))
                .collect(),
        ),
        Type::Tuple(ts) => {
            Value::Tuple(ts.iter().map(|t| random_value(rng, t, depth + 1)).collect())
        }
        Type::Dynamic => Value::from("d"),
    }
}

fn maybe_null(rng: &mut Rng, ty: &Type, depth: u32) -> Value {
    if rng.chance(30) {
        Value::Null
    } else {
        random_value(rng, ty, depth)
    }
}

/// A configuration: only non-computed-only attributes, sometimes unknown (values from other
/// resources not yet created), blocks as lists/sets of objects shaped by the schema.
fn random_config(rng: &mut Rng, block: &Block, depth: u32) -> Value {
    let mut v = Value::null_object(&block.ty());
    for a in &block.attributes {
        let x = match a.mode {
            Mode::Computed => Value::Null,
            Mode::Required => {
                if rng.chance(10) {
                    Value::Unknown
                } else {
                    random_value(rng, &a.value_type(), depth)
                }
            }
            _ => match rng.below(10) {
                0 => Value::Unknown,
                1..=5 => Value::Null,
                _ => random_value(rng, &a.value_type(), depth),
            },
        };
        v.set(&a.name, x);
    }
    for nb in &block.blocks {
        let n = rng.below(3) as usize;
        let items: Vec<Value> = (0..n)
            .map(|_| random_config(rng, &nb.block, depth + 1))
            .collect();
        let x = match nb.nesting {
            Nesting::Set => Value::Set(items),
            Nesting::List => Value::List(items),
            Nesting::Single | Nesting::Group => items.into_iter().next().unwrap_or(Value::Null),
            Nesting::Map => Value::Map(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, x)| (format!("m{i}"), x))
                    .collect(),
            ),
        };
        v.set(&nb.name, x);
    }
    v
}

/// A prior state: wholly known, every attribute possibly set (as after a read).
fn random_state(rng: &mut Rng, block: &Block) -> Value {
    let mut v = random_config(rng, block, 0);
    for a in &block.attributes {
        if v.get(&a.name).is_unknown() || (a.mode == Mode::Computed && rng.chance(70)) {
            v.set(&a.name, random_value(rng, &a.value_type(), 1));
        }
        if a.write_only {
            v.set(&a.name, Value::Null);
        }
    }
    v
}

/// Terraform's proposed new state: the configuration, with computed attributes the
/// configuration leaves null taken from the prior state.
fn proposed(schema: &Schema, prior: &Value, config: &Value) -> Value {
    let mut p = config.clone();
    for a in &schema.block.attributes {
        if a.is_computed() && config.get(&a.name).is_null() && !prior.is_null() {
            p.set(&a.name, prior.get(&a.name).clone());
        }
    }
    p
}

/// Terraform's own check of a plan, written from its rules (Terraform 1.0's
/// `internal/plans/objchange/plan_valid.go` and the core checks on `requires_replace`, as
/// summarised in the shared protocol reference), not from `schema::plan::check_plan`: the
/// pipeline must not be judged by its own checker.
fn terraform_rejects(
    schema: &Schema,
    prior: &Value,
    config: &Value,
    planned: &Value,
    replace: &[String],
) -> Option<String> {
    if planned.is_null() != config.is_null() {
        return Some("planned must be null exactly when config is null".into());
    }
    if !planned.is_null()
        && let Some(e) = block_rejects(&schema.block, prior, config, planned, "")
    {
        return Some(e);
    }
    // Each requires-replace path must name something in the prior or the planned object.
    for path in replace {
        let names_attr = schema.block.attribute(path).is_some()
            || schema.block.blocks.iter().any(|b| b.name == *path);
        if !names_attr {
            return Some(format!("requires_replace path {path} is in neither value"));
        }
    }
    None
}

/// `Value` has no raw equality that tells unknown from known values apart in every
/// position, so compare through a rendering that does.
fn raw_equal(a: &Value, b: &Value) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

fn conforms(v: &Value, ty: &Type) -> bool {
    match (v, ty) {
        (Value::Null | Value::Unknown, _) => true,
        (Value::String(_), Type::String) | (Value::Bool(_), Type::Bool) => true,
        (Value::Number(_), Type::Number) => true,
        (Value::List(items), Type::List(e)) | (Value::Set(items), Type::Set(e)) => {
            items.iter().all(|x| conforms(x, e))
        }
        (Value::Map(m), Type::Map(e)) => m.values().all(|x| conforms(x, e)),
        (Value::Object(m), Type::Object(attrs)) => {
            m.len() == attrs.len()
                && attrs
                    .iter()
                    .all(|(k, t)| m.get(k).is_some_and(|x| conforms(x, t)))
        }
        (_, Type::Dynamic) => true,
        _ => false,
    }
}

fn block_rejects(
    block: &Block,
    prior: &Value,
    config: &Value,
    planned: &Value,
    at: &str,
) -> Option<String> {
    if planned.is_unknown() {
        return Some(format!("{at}: a block is never planned unknown"));
    }
    if !conforms(planned, &block.ty()) {
        return Some(format!(
            "{at}: planned value does not conform to the schema"
        ));
    }
    for a in &block.attributes {
        let (pr, c, pl) = (
            prior.get(&a.name),
            config.get(&a.name),
            planned.get(&a.name),
        );
        let at = format!("{at}.{}", a.name);
        // Write-only (Terraform 1.11+): the value stays in config, plan and state hold null.
        if a.write_only {
            if !pl.is_null() {
                return Some(format!("{at}: write-only attributes are planned null"));
            }
            continue;
        }
        let ok = raw_equal(pl, c)
            || (!pr.is_null() && !c.is_null() && raw_equal(pl, pr))
            || (a.is_computed() && c.is_null());
        if !ok {
            return Some(format!(
                "{at}: planned {pl:?} matches neither config {c:?} nor prior {pr:?}"
            ));
        }
    }
    for nb in &block.blocks {
        let at = format!("{at}.{}", nb.name);
        let (pr, c, pl) = (
            prior.get(&nb.name),
            config.get(&nb.name),
            planned.get(&nb.name),
        );
        match nb.nesting {
            Nesting::Single | Nesting::Group => {
                if nb.nesting == Nesting::Single && pl.is_null() != c.is_null() {
                    return Some(format!(
                        "{at}: single block null in only one of plan and config"
                    ));
                }
                if nb.nesting == Nesting::Group && pl.is_null() {
                    return Some(format!("{at}: group blocks are never null"));
                }
                if !pl.is_null()
                    && let Some(e) = block_rejects(&nb.block, pr, c, pl, &at)
                {
                    return Some(e);
                }
            }
            Nesting::List | Nesting::Set => {
                if pl.is_null() || pl.is_unknown() {
                    return Some(format!(
                        "{at}: list and set blocks are never null or unknown"
                    ));
                }
                if pl.elements().len() != c.elements().len() {
                    return Some(format!(
                        "{at}: {} blocks planned, {} configured",
                        pl.elements().len(),
                        c.elements().len()
                    ));
                }
                // Set elements cannot be correlated; Terraform checks only their count.
                if nb.nesting == Nesting::List {
                    for (i, (ce, pe)) in c.elements().iter().zip(pl.elements()).enumerate() {
                        let pre = pr.elements().get(i).unwrap_or(&Value::Null);
                        if let Some(e) =
                            block_rejects(&nb.block, pre, ce, pe, &format!("{at}[{i}]"))
                        {
                            return Some(e);
                        }
                    }
                }
            }
            Nesting::Map => {
                let (Some(cm), Some(pm)) = (c.as_map(), pl.as_map()) else {
                    return Some(format!("{at}: map blocks are never null"));
                };
                if cm.keys().ne(pm.keys()) {
                    return Some(format!("{at}: map block keys differ from the config's"));
                }
            }
        }
    }
    None
}

#[test]
fn planned_states_always_satisfy_terraform_invariants() {
    let service = ProviderService::new(HarborProvider);
    let resources = terraform_provider_harbor::resources::all();
    let (_, schemas, _) = service.schemas();
    let mut checked = 0;
    let mut replaced = 0;
    let mut refused = 0;
    for seed in 1..=3000u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let (name, schema) = &schemas[rng.below(schemas.len() as u64) as usize];
        let resource = resources
            .iter()
            .find(|r| r.type_name() == *name)
            .expect("resource");
        let prior = if rng.chance(30) {
            Value::Null
        } else {
            random_state(&mut rng, &schema.block)
        };
        let config = if rng.chance(5) {
            Value::Null
        } else {
            random_config(&mut rng, &schema.block, 0)
        };
        let proposal = proposed(schema, &prior, &config);
        let run = || {
            plan::<terraform_provider_harbor::context::HarborContext>(
                schema,
                None,
                &prior,
                &proposal,
                &config,
                |ctx| resource.modify_plan(ctx),
            )
        };
        let p = run();
        assert!(
            !p.diags
                .iter()
                .any(|d| d.summary == "Provider produced an invalid plan"),
            "seed {seed}, {name}: the pipeline flagged its own plan: {:?}",
            p.diags
        );
        if p.diags.has_errors() {
            // The resource refused the change (unsetting Harbor's default scanner, say, which a
            // random prior state can hold): Terraform shows the error and uses no plan. A
            // refusal must name the attribute it is about.
            let unplaced: Vec<_> = p
                .diags
                .iter()
                .filter(|d| d.severity == Severity::Error && d.path.is_none())
                .collect();
            assert!(
                unplaced.is_empty(),
                "seed {seed}, {name}: a plan-time refusal names no attribute: {unplaced:?}"
            );
            refused += 1;
            continue;
        }
        let replace: Vec<String> = p.requires_replace.iter().map(|x| x.to_string()).collect();
        if let Some(problem) = terraform_rejects(schema, &prior, &config, &p.planned, &replace) {
            panic!("seed {seed}, {name}: Terraform would reject this plan: {problem}");
        }
        // Terraform plans again at apply time and needs the same answer: planning is
        // deterministic.
        let again = run();
        assert!(
            raw_equal(&again.planned, &p.planned) && again.requires_replace == p.requires_replace,
            "seed {seed}, {name}: two plans of the same change differ"
        );
        replaced += usize::from(!p.requires_replace.is_empty());
        checked += 1;
    }
    assert_eq!(checked + refused, 3000);
    // Refusals are rare corners of random states; most seeds must reach a checked plan.
    assert!(refused < 150, "{refused} of 3000 random plans were refused");
    // The generator reaches replacements, or the requires_replace rule was never exercised.
    assert!(replaced > 0, "no plan required a replacement");
}

/// Destroy through the RPC, as Terraform 1.3+ sends it (`proposed_new_state` null): the
/// service decodes the prior state, plans, and must answer a null planned state with no
/// replacement and no error, for every resource type.
#[tokio::test]
async fn destroy_plans_are_always_null() {
    use terraform_provider_harbor::protocol::codec;
    use terraform_provider_harbor::protocol::proto::tfplugin6 as pb;
    use terraform_provider_harbor::protocol::proto::tfplugin6::provider_server::Provider as _;

    let service = ProviderService::new(HarborProvider);
    let (_, schemas, _) = service.schemas();
    for (seed, (name, schema)) in schemas.iter().enumerate() {
        let mut rng = Rng(seed as u64 + 7);
        let ty = schema.ty();
        let prior = random_state(&mut rng, &schema.block);
        let dv = |v: &Value| {
            Some(pb::DynamicValue {
                msgpack: codec::to_msgpack(&ty, v),
                json: Vec::new(),
            })
        };
        let r = service
            .plan_resource_change(tonic::Request::new(pb::plan_resource_change::Request {
                type_name: name.to_string(),
                prior_state: dv(&prior),
                proposed_new_state: dv(&Value::Null),
                config: dv(&Value::Null),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(r.diagnostics.is_empty(), "{name}: {:?}", r.diagnostics);
        let planned =
            codec::from_msgpack(&ty, &r.planned_state.expect("a planned state").msgpack).unwrap();
        assert!(planned.is_null(), "{name}: destroy planned {planned:?}");
        assert!(r.requires_replace.is_empty(), "{name}");
    }
}
