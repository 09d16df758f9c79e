//! The CRDs' `x-kubernetes-validations` rules, evaluated with a CEL interpreter (the `cel`
//! crate) and the Kubernetes library functions they call (`k8s`).
//!
//! The schema compiler stores every rule of the CRDs once in the schema table (`Rule`); a rule
//! is compiled on first use, once per run, and evaluated with `self` bound to the field's value
//! (`oldSelf` is unbound: these are create-time checks) wherever that field is present. A rule
//! that does not compile, or calls a function the interpreter lacks, is never a finding: it is
//! `Verdict::Broken`, and `tests/cel_rules.rs` fails on it for every rule of the CRDs.

pub mod k8s;
pub mod net;

use std::sync::{Arc, OnceLock};

use cel::common::ast::{CallExpr, EntryExpr, Expr, IdedExpr, operators};
use cel::parser::Macro;
use cel::{Context, Env, ExecutionError, Program, Value};
use serde::{Deserialize, Serialize};

/// One rule of a CRD, as the schema table stores it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rule {
    pub rule: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_expression: Option<String>,
}

/// What a rule says about a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Pass,
    /// The rule is false, or its evaluation failed on this value (Kubernetes rejects the object
    /// then too): the message to report, and the evaluation error if there was one.
    Fail {
        message: String,
        error: Option<String>,
    },
    /// The rule does not compile or calls what the interpreter lacks: a defect of meshlint,
    /// never a finding.
    Broken(String),
}

/// A compiled rule and what the reporting needs to know of it.
pub struct Compiled {
    program: Program,
    message: Option<Program>,
    /// The fields of `self` the rule names (`self.x`, `has(self.x)`), in order of appearance.
    pub fields: Vec<String>,
    /// Whether it parses `self` as a duration (for the help text).
    pub calls_duration: bool,
    /// How deeply its comprehensions (`all`, `exists`, ...) nest: its cost grows as the size of
    /// `self`'s collections to this power.
    pub nesting: u32,
    /// Whether the rule reads `self` only through its fields (`self.x`, `has(self.x)`): then
    /// `self` may hold just the fields in `fields`, and the rule cannot tell.
    pub reads_fields_only: bool,
}

/// The API server's cost limit for one evaluation of a rule (`celconfig.PerCallLimit`). A rule
/// whose cost on a value would exceed it fails there, as it does here, without evaluating.
pub const PER_CALL_LIMIT: u64 = 1_000_000;

fn env() -> &'static Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Env::stdlib();
        // Kubernetes enables cel-go's string extension (`substring`, `lowerAscii`, `split`, ...).
        let _ = env.add_extension(cel::extensions::strings);
        // `duration(s)` parses as Go does (see `k8s::parse_go_duration`).
        let _ = env.add_macro(Macro::global("duration", 1, |helper, _target, args| {
            let arg = args.pop().unwrap_or_default();
            Ok(Some(helper.next_expr(Expr::Call(CallExpr {
                func_name: k8s::GO_DURATION.to_string(),
                target: None,
                args: vec![arg],
            }))))
        }));
        Arc::new(env)
    })
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum MemoKey {
    Str(String),
    Int(i64),
    EmptyMap,
}

/// Remembered verdicts per thread, at most this many (then forgotten at once).
const MEMO_MAX: usize = 65_536;

thread_local! {
    static MEMO: std::cell::RefCell<std::collections::HashMap<(u32, MemoKey), Verdict>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

thread_local! {
    /// The root context with the Kubernetes library, one per thread (contexts are not shared).
    static ROOT: Context<'static, 'static> = {
        let mut ctx = Context::with_env(Arc::clone(env()));
        let _ = k8s::register(&mut ctx);
        let _ = net::register(&mut ctx);
        ctx
    };
}

/// Compiles a rule (its message expression too).
pub fn compile(rule: &Rule) -> Result<Compiled, String> {
    let env = env();
    let program = env
        .compile(&rule.rule)
        .map_err(|e| format!("rule `{}` does not compile: {e}", rule.rule))?;
    let message = match &rule.message_expression {
        Some(m) => Some(
            env.compile(m)
                .map_err(|e| format!("messageExpression `{m}` does not compile: {e}"))?,
        ),
        None => None,
    };
    let mut fields = Vec::new();
    let mut calls_duration = false;
    let (mut selves, mut selected) = (0, 0);
    visit(program.expression(), &mut |e| match e {
        Expr::Ident(n) if n == "self" => selves += 1,
        Expr::Select(s) if matches!(&s.operand.expr, Expr::Ident(n) if n == "self") => {
            selected += 1;
            if !fields.contains(&s.field) {
                fields.push(s.field.clone());
            }
        }
        _ => {}
    });
    visit(program.expression(), &mut |e| {
        if matches!(e, Expr::Call(c) if c.func_name == k8s::GO_DURATION) {
            calls_duration = true;
        }
    });
    let nesting = nesting(program.expression());
    Ok(Compiled {
        program,
        message,
        fields,
        calls_duration,
        nesting,
        reads_fields_only: selves == selected,
    })
}

/// The deepest nesting of comprehensions in an expression.
fn nesting(e: &IdedExpr) -> u32 {
    let mut deepest = 0;
    let own = u32::from(matches!(e.expr, Expr::Comprehension(_)));
    let mut children = Vec::new();
    match &e.expr {
        Expr::Call(c) => {
            children.extend(c.target.as_deref());
            children.extend(&c.args);
        }
        Expr::Comprehension(c) => children.extend([
            &c.iter_range,
            &c.accu_init,
            &c.loop_cond,
            &c.loop_step,
            &c.result,
        ]),
        Expr::List(l) => children.extend(&l.elements),
        Expr::Select(s) => children.push(&s.operand),
        Expr::Map(m) => {
            for entry in &m.entries {
                if let EntryExpr::MapEntry(me) = &entry.expr {
                    children.push(&me.key);
                    children.push(&me.value);
                }
            }
        }
        _ => {}
    }
    for c in children {
        deepest = deepest.max(nesting(c));
    }
    deepest + own
}

/// The size of the largest list or map in a value.
fn largest(v: &Value) -> usize {
    match v {
        Value::List(l) => l.iter().map(largest).max().unwrap_or(0).max(l.len()),
        Value::Map(m) => m
            .map
            .values()
            .map(largest)
            .max()
            .unwrap_or(0)
            .max(m.map.len()),
        _ => 0,
    }
}

fn visit(e: &IdedExpr, f: &mut impl FnMut(&Expr)) {
    f(&e.expr);
    match &e.expr {
        Expr::Call(c) => {
            if let Some(t) = &c.target {
                visit(t, f);
            }
            for a in &c.args {
                visit(a, f);
            }
        }
        Expr::Comprehension(c) => {
            for x in [
                &c.iter_range,
                &c.accu_init,
                &c.loop_cond,
                &c.loop_step,
                &c.result,
            ] {
                visit(x, f);
            }
        }
        Expr::List(l) => l.elements.iter().for_each(|x| visit(x, f)),
        Expr::Map(m) => {
            for entry in &m.entries {
                if let EntryExpr::MapEntry(me) = &entry.expr {
                    visit(&me.key, f);
                    visit(&me.value, f);
                }
            }
        }
        Expr::Struct(s) => {
            for entry in &s.entries {
                if let EntryExpr::StructField(sf) = &entry.expr {
                    visit(&sf.value, f);
                }
            }
        }
        Expr::Select(s) => visit(&s.operand, f),
        _ => {}
    }
}

/// Every rule of the schema table, compiled on first use.
pub struct Rules {
    rules: Vec<Rule>,
    compiled: Vec<OnceLock<Result<Compiled, String>>>,
}

impl std::fmt::Debug for Rules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rules")
            .field("rules", &self.rules.len())
            .finish()
    }
}

impl Rules {
    pub fn new(rules: Vec<Rule>) -> Rules {
        let compiled = rules.iter().map(|_| OnceLock::new()).collect();
        Rules { rules, compiled }
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    pub fn rule(&self, id: u32) -> Option<&Rule> {
        self.rules.get(id as usize)
    }

    /// The compiled rule `id` (compiled now if this is its first use).
    pub fn compiled(&self, id: u32) -> Option<&Result<Compiled, String>> {
        let rule = self.rules.get(id as usize)?;
        Some(self.compiled[id as usize].get_or_init(|| compile(rule)))
    }

    /// As `check`, remembered per thread for a scalar or an empty `self`: a rule is a pure
    /// function of `self`, and meshes repeat the same durations and ports thousands of times.
    pub fn check_memo(&self, id: u32, value: &Value) -> Verdict {
        let key = match value {
            Value::String(s) if s.len() <= 256 => MemoKey::Str(s.to_string()),
            Value::Int(i) => MemoKey::Int(*i),
            Value::Map(m) if m.map.is_empty() => MemoKey::EmptyMap,
            _ => return self.check(id, value),
        };
        MEMO.with(|memo| {
            if let Some(v) = memo.borrow().get(&(id, key.clone())) {
                return v.clone();
            }
            let verdict = self.check(id, value);
            let mut memo = memo.borrow_mut();
            if memo.len() >= MEMO_MAX {
                memo.clear();
            }
            memo.insert((id, key), verdict.clone());
            verdict
        })
    }

    /// Evaluates rule `id` with `self` bound to `value`.
    pub fn check(&self, id: u32, value: &Value) -> Verdict {
        let Some(rule) = self.rules.get(id as usize) else {
            return Verdict::Broken(format!("no rule {id}"));
        };
        match self.compiled(id) {
            Some(Ok(c)) => evaluate(rule, c, value),
            Some(Err(e)) => Verdict::Broken(e.clone()),
            None => Verdict::Broken(format!("no rule {id}")),
        }
    }
}

/// Evaluates a compiled rule with `self` bound to `value`.
pub fn evaluate(rule: &Rule, c: &Compiled, value: &Value) -> Verdict {
    if c.nesting >= 2 {
        let n = largest(value) as u64;
        let cost = n.saturating_pow(c.nesting);
        if cost > PER_CALL_LIMIT {
            return Verdict::Fail {
                message: rule.message.clone(),
                error: Some(format!(
                    "on {n} items its cost exceeds the API server's limit of {PER_CALL_LIMIT} for one rule, so the object is rejected"
                )),
            };
        }
    }
    ROOT.with(|root| {
        let mut ctx = root.new_inner_scope();
        ctx.add_variable_from_value("self", value.clone());
        let error = match c.program.execute(&ctx) {
            Ok(Value::Bool(true)) => return Verdict::Pass,
            Ok(Value::Bool(false)) => None,
            Ok(other) => {
                return Verdict::Broken(format!(
                    "rule `{}` evaluates to {other:?}, not a boolean",
                    rule.rule
                ));
            }
            Err(e) if is_broken(&e) => {
                return Verdict::Broken(format!("rule `{}`: {e}", rule.rule));
            }
            Err(e) => Some(e.to_string()),
        };
        let message = c
            .message
            .as_ref()
            .and_then(|m| match m.execute(&ctx) {
                Ok(Value::String(s)) if !s.trim().is_empty() => Some(s.to_string()),
                _ => None,
            })
            .unwrap_or_else(|| {
                if rule.message.is_empty() {
                    format!("failed rule: {}", rule.rule)
                } else {
                    rule.message.clone()
                }
            });
        Verdict::Fail { message, error }
    })
}

/// A JSON value as CEL sees it (integers stay ints), for tests and tools.
pub fn to_value(j: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match j {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        J::String(s) => Value::from(s.clone()),
        J::Array(a) => Value::List(Arc::new(a.iter().map(to_value).collect())),
        J::Object(o) => Value::from(
            o.iter()
                .map(|(k, v)| (k.clone(), to_value(v)))
                .collect::<std::collections::HashMap<_, _>>(),
        ),
    }
}

/// Errors that mean the interpreter lacks something the rule needs, not that the value is bad.
fn is_broken(e: &ExecutionError) -> bool {
    match e {
        ExecutionError::UndeclaredReference(name) => name.as_str() != "oldSelf",
        ExecutionError::NoSuchOverload(o) => o.function() != operators::ADD,
        ExecutionError::InvalidArgumentCount { .. } | ExecutionError::InternalError(_) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(r: &str) -> Rule {
        Rule {
            rule: r.into(),
            message: "m".into(),
            message_expression: None,
        }
    }

    fn check(r: &str, v: Value) -> Verdict {
        let rule = rule(r);
        evaluate(&rule, &compile(&rule).unwrap(), &v)
    }

    #[test]
    fn durations_follow_go() {
        let r = "duration(self) >= duration('1ms')";
        assert_eq!(check(r, Value::from("5s")), Verdict::Pass);
        assert_eq!(check(r, Value::from("1500us")), Verdict::Pass);
        assert!(matches!(
            check(r, Value::from("0.5ms")),
            Verdict::Fail { error: None, .. }
        ));
        assert!(matches!(
            check(r, Value::from("1e3s")),
            Verdict::Fail { error: Some(_), .. }
        ));
    }

    #[test]
    fn urls_follow_kubernetes() {
        let r = r#"isURL(self) ? (url(self).getScheme() in ["", "http", "https", "file", "oci"]) : (isURL("http://" + self) && url("http://" + self).getScheme() in ["", "http", "https", "file", "oci"])"#;
        for ok in [
            "oci://ghcr.io/x:1",
            "ghcr.io/x/y:1.0",
            "file:///a.wasm",
            "https://h/p",
        ] {
            assert_eq!(check(r, Value::from(ok)), Verdict::Pass, "{ok}");
        }
        assert!(matches!(
            check(r, Value::from("ftp://h/x")),
            Verdict::Fail { .. }
        ));
        let r = "url(self).getHost() == 'h:80' && url(self).getPort() == '80'";
        assert_eq!(check(r, Value::from("http://h:80/x")), Verdict::Pass);
    }

    #[test]
    fn ips_and_cidrs_follow_kubernetes() {
        for (r, v) in [
            ("isIP(self) && ip(self).family() == 4", "10.0.0.1"),
            ("isIP(self) && ip(self).family() == 6", "2001:db8::1"),
            ("!isIP(self)", "fe80::1%eth0"),
            ("!isIP(self)", "::ffff:10.0.0.1"),
            ("!isIP(self)", "010.0.0.1"),
            ("ip(self).isLoopback()", "127.0.0.1"),
            ("ip(self).isGlobalUnicast()", "8.8.8.8"),
            ("!ip(self).isGlobalUnicast()", "169.254.0.1"),
            ("ip(self).isLinkLocalUnicast()", "fe80::1"),
            ("ip.isCanonical(self)", "2001:db8::1"),
            ("!ip.isCanonical(self)", "2001:DB8::1"),
            (
                "isCIDR(self) && cidr(self).prefixLength() == 24",
                "10.0.0.0/24",
            ),
            ("cidr(self).containsIP('10.0.0.7')", "10.0.0.0/24"),
            ("cidr(self).containsIP(ip('10.0.0.7'))", "10.0.0.0/24"),
            ("!cidr(self).containsCIDR('10.0.0.0/16')", "10.0.0.0/24"),
            (
                "cidr(self).containsCIDR(cidr('10.0.0.128/25'))",
                "10.0.0.0/24",
            ),
            ("cidr(self).masked() == cidr('10.0.0.0/24')", "10.0.0.9/24"),
            ("cidr(self).ip() == ip('10.0.0.9')", "10.0.0.9/24"),
            ("!isCIDR(self)", "10.0.0.0/33"),
        ] {
            assert_eq!(check(r, Value::from(v)), Verdict::Pass, "{r} on {v}");
        }
    }

    #[test]
    fn remembered_verdicts_are_the_verdicts() {
        let rules = Rules::new(vec![rule("duration(self) >= duration('1ms')")]);
        for v in ["5s", "0.5ms", "5s", "bad", "0.5ms", "bad"] {
            let v = Value::from(v);
            assert_eq!(rules.check_memo(0, &v), rules.check(0, &v));
        }
    }

    #[test]
    fn an_unknown_function_is_broken_not_a_finding() {
        assert!(matches!(
            check("noSuchFunction(self)", Value::from("x")),
            Verdict::Broken(_)
        ));
        assert!(compile(&rule("self ==")).is_err());
    }

    #[test]
    fn fields_named_by_a_rule() {
        let c = compile(&rule(
            "(has(self.a) ? 1 : 0) + (has(self.b) ? 1 : 0) <= 1 && self.c.all(k, k != '')",
        ))
        .unwrap();
        assert_eq!(c.fields, ["a", "b", "c"]);
        assert_eq!(c.nesting, 1);
        assert!(c.reads_fields_only);
        let c = compile(&rule("self.all(k, k != '') && has(self.a)")).unwrap();
        assert!(!c.reads_fields_only);
    }

    #[test]
    fn a_rule_past_the_cost_limit_fails_without_running() {
        let r = "self.all(l1, self.exists_one(l2, l1 == l2))";
        let big = Value::List(Arc::new((0..2000).map(Value::Int).collect()));
        assert!(matches!(
            check(r, big),
            Verdict::Fail { error: Some(e), .. } if e.contains("limit")
        ));
        let small = Value::List(Arc::new((0..200).map(Value::Int).collect()));
        assert_eq!(check(r, small), Verdict::Pass);
    }
}
