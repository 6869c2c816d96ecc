// vrl-parse PROGRAM: for each line of stdin, runs the VRL program on the event {"message": line}
// and prints the resulting event as one line of JSON, or {"vrl_error": "..."} when the program
// fails on that line. Lines are split on \n only (a CR stays in the line).
use std::collections::BTreeMap;
use std::io::{self, BufRead, BufWriter, Write};

use vrl::compiler::{compile, state::RuntimeState, Context, TargetValue, TimeZone};
use vrl::value::{Secrets, Value};

fn main() {
    let source = std::env::args().nth(1).expect("usage: vrl-parse PROGRAM < lines");
    let compiled = match compile(&source, &vrl::stdlib::all()) {
        Ok(c) => c,
        Err(diagnostics) => {
            eprintln!("vrl-parse: the program does not compile: {diagnostics:?}");
            std::process::exit(2);
        }
    };
    let timezone = TimeZone::default();
    let stdin = io::stdin();
    let mut out = BufWriter::new(io::stdout().lock());
    let mut line = Vec::new();
    let mut input = stdin.lock();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line).expect("stdin") == 0 {
            break;
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        let event = BTreeMap::from([("message".into(), Value::Bytes(line.clone().into()))]);
        let mut target = TargetValue {
            value: Value::Object(event),
            metadata: Value::Object(BTreeMap::new()),
            secrets: Secrets::default(),
        };
        let mut state = RuntimeState::default();
        let mut ctx = Context::new(&mut target, &mut state, &timezone);
        let json = match compiled.program.resolve(&mut ctx) {
            Ok(_) => serde_json::to_string(&target.value).expect("JSON"),
            Err(e) => serde_json::json!({ "vrl_error": e.to_string() }).to_string(),
        };
        writeln!(out, "{json}").expect("stdout");
    }
    out.flush().expect("stdout");
}
