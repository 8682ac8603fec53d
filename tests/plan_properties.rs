//! Property tests for the plan pipeline: for random prior states, configurations and proposals
//! shaped by every resource schema the provider serves, the planned state sent to Terraform always
//! satisfies Terraform's plan invariants, and requires-replace paths are sorted, unique and name
//! top-level attributes.
//!
//! The generator is a seeded xorshift, so a failure names its seed and reproduces exactly.

use terraform_provider_harbor::protocol::service::ProviderService;
use terraform_provider_harbor::provider::HarborProvider;
use terraform_provider_harbor::schema::def::{Block, Mode, Nesting};
use terraform_provider_harbor::schema::plan::{check_plan, plan};
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

#[test]
fn planned_states_always_satisfy_terraform_invariants() {
    let service = ProviderService::new(HarborProvider);
    let resources = terraform_provider_harbor::resources::all();
    let (_, schemas, _) = service.schemas();
    let mut checked = 0;
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
        let p = plan::<terraform_provider_harbor::provider::HarborContext>(
            schema,
            None,
            &prior,
            &proposal,
            &config,
            |ctx| resource.modify_plan(ctx),
        );
        assert!(
            !p.diags.has_errors(),
            "seed {seed}, {name}: the pipeline flagged its own plan: {:?}",
            p.diags
        );
        check_plan(schema, &prior, &config, &p.planned)
            .unwrap_or_else(|e| panic!("seed {seed}, {name}: {e}"));
        let mut sorted = p.requires_replace.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(
            sorted, p.requires_replace,
            "seed {seed}, {name}: replace paths not sorted and unique"
        );
        for path in &p.requires_replace {
            let attr = path.to_string();
            assert!(
                schema.block.attribute(&attr).is_some(),
                "seed {seed}, {name}: replace path {attr} names no attribute"
            );
            assert!(
                !prior.is_null(),
                "seed {seed}, {name}: replacement planned on create"
            );
        }
        for a in schema.block.attributes.iter().filter(|a| a.write_only) {
            assert!(
                p.planned.get(&a.name).is_null(),
                "seed {seed}, {name}: write-only {} planned non-null",
                a.name
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 3000);
}

#[test]
fn destroy_plans_are_always_null() {
    let service = ProviderService::new(HarborProvider);
    let (_, schemas, _) = service.schemas();
    for (seed, (name, schema)) in schemas.iter().enumerate() {
        let mut rng = Rng(seed as u64 + 7);
        let prior = random_state(&mut rng, &schema.block);
        let p = plan::<()>(schema, None, &prior, &Value::Null, &Value::Null, |_| {});
        assert!(p.planned.is_null(), "{name}");
        assert!(p.requires_replace.is_empty(), "{name}");
    }
}
