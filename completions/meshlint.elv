
use builtin;
use str;

set edit:completion:arg-completer[meshlint] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'meshlint'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'meshlint'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand analyze 'Analyze manifests: files, directories, globs, or - for stdin'
            cand authz 'Authorization: which policies apply to a workload, and how a request is decided'
            cand diff 'What a change does to the mesh: new/fixed findings, traffic and security changes'
            cand graph 'Draw the traffic graph (Gateway → VirtualService → route → subset → Service → workloads)'
            cand simulate 'Walk one request (or a call chain) through the mesh and explain its outcome'
            cand test 'Run routing unit tests (istio-config-validator `testCases:` or meshlint''s own format)'
            cand rules 'List every rule: name, codes, default severity, category, summary'
            cand explain 'Print the documentation of a rule (by name, or by IST/KIA code)'
            cand completions 'Print shell completions'
            cand man 'Print the man page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'meshlint;analyze'= {
            cand -o 'Output format on standard output (machine formats are alone there; logs go to stderr)'
            cand --output 'Output format on standard output (machine formats are alone there; logs go to stderr)'
            cand -n 'Namespace of resources that have none [default: .meshlint.yaml''s, else default]'
            cand --namespace 'Namespace of resources that have none [default: .meshlint.yaml''s, else default]'
            cand --mesh-config 'A MeshConfig file (else the istio ConfigMap in the inputs, else Istio''s defaults)'
            cand --config 'The configuration file [default: .meshlint.yaml in the working directory or a parent]'
            cand --suppress 'Suppress findings: RULE_OR_CODE=Kind namespace/name, `*` globs (repeatable)'
            cand --output-threshold 'Lowest severity shown (the exit code still follows --failure-threshold)'
            cand --istio-version 'Istio version X.Y, for rules whose truth depends on it'
            cand --failure-threshold 'Lowest severity that makes the run fail (exit 1)'
            cand --max-file-bytes 'Largest file read, in bytes'
            cand --max-documents 'Most documents read from one file'
            cand --max-yaml-nodes 'Most nodes one document may expand to through aliases'
            cand --max-depth 'Deepest nesting of YAML collections'
            cand --max-scalar-bytes 'Longest single YAML scalar, in bytes'
            cand --max-file-nodes 'Most YAML nodes in all documents of one file together'
            cand --output-file 'Also write the report in FORMAT to PATH (repeatable: `--output-file sarif=out.sarif`); a plain FILE receives the -o format instead of standard output. Files are written atomically (a temporary file beside them, then a rename)'
            cand --baseline 'Report and fail only on findings not recorded in this baseline (see --write-baseline)'
            cand --write-baseline 'Record today''s findings in FILE (rule, resource and field path of each) and exit 0'
            cand --no-config 'Read no .meshlint.yaml'
            cand --show-suppressed 'Also list the suppressed findings and what suppressed each'
            cand --timings 'Print the time of each phase on stderr (load includes typing each document, in parallel)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'meshlint;authz'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand check 'The workload, its mTLS mode per port and the AuthorizationPolicies that apply (in evaluation order); with --from, the decision on one request'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'meshlint;authz;check'= {
            cand --from 'The caller: <workload>.<namespace>, a principal cluster.local/ns/<ns>/sa/<sa>, or external'
            cand --method 'HTTP method of the request (default GET)'
            cand --path 'Path of the request (default /)'
            cand --port 'Port of the request: a Service port or a container port (default: the first)'
            cand -H 'A request header ''name: value'' (repeatable)'
            cand --header 'A request header ''name: value'' (repeatable)'
            cand --principal 'The request principal (<issuer>/<subject>) of a validated JWT'
            cand -o 'Output format on standard output (machine formats are alone there; logs go to stderr)'
            cand --output 'Output format on standard output (machine formats are alone there; logs go to stderr)'
            cand -n 'Namespace of resources that have none [default: .meshlint.yaml''s, else default]'
            cand --namespace 'Namespace of resources that have none [default: .meshlint.yaml''s, else default]'
            cand --mesh-config 'A MeshConfig file (else the istio ConfigMap in the inputs, else Istio''s defaults)'
            cand --config 'The configuration file [default: .meshlint.yaml in the working directory or a parent]'
            cand --suppress 'Suppress findings: RULE_OR_CODE=Kind namespace/name, `*` globs (repeatable)'
            cand --output-threshold 'Lowest severity shown (the exit code still follows --failure-threshold)'
            cand --istio-version 'Istio version X.Y, for rules whose truth depends on it'
            cand --failure-threshold 'Lowest severity that makes the run fail (exit 1)'
            cand --max-file-bytes 'Largest file read, in bytes'
            cand --max-documents 'Most documents read from one file'
            cand --max-yaml-nodes 'Most nodes one document may expand to through aliases'
            cand --max-depth 'Deepest nesting of YAML collections'
            cand --max-scalar-bytes 'Longest single YAML scalar, in bytes'
            cand --max-file-nodes 'Most YAML nodes in all documents of one file together'
            cand --no-config 'Read no .meshlint.yaml'
            cand --show-suppressed 'Also list the suppressed findings and what suppressed each'
            cand --timings 'Print the time of each phase on stderr (load includes typing each document, in parallel)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'meshlint;authz;help'= {
            cand check 'The workload, its mTLS mode per port and the AuthorizationPolicies that apply (in evaluation order); with --from, the decision on one request'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'meshlint;authz;help;check'= {
        }
        &'meshlint;authz;help;help'= {
        }
        &'meshlint;diff'= {
            cand --base 'The base side''s paths (with --head)'
            cand --head 'The head side''s paths (with --base)'
            cand --base-ref 'Read the base side of the same paths from git at REF (the working tree is the head side)'
            cand -o 'human, json, markdown (a PR comment) or github (annotations)'
            cand --output 'human, json, markdown (a PR comment) or github (annotations)'
            cand --fail-on 'Also fail (exit 1) on traffic and/or security changes: `traffic,security`'
            cand --failure-threshold 'Lowest severity of a new finding that makes the run fail (exit 1)'
            cand -n 'Namespace of resources that have none [default: .meshlint.yaml''s, else default]'
            cand --namespace 'Namespace of resources that have none [default: .meshlint.yaml''s, else default]'
            cand --mesh-config 'A MeshConfig file (else the istio ConfigMap in the inputs, else Istio''s defaults)'
            cand --config 'The configuration file [default: .meshlint.yaml in the working directory or a parent]'
            cand --suppress 'Suppress findings: RULE_OR_CODE=Kind namespace/name, `*` globs (repeatable)'
            cand --istio-version 'Istio version X.Y, for rules whose truth depends on it'
            cand --no-config 'Read no .meshlint.yaml'
            cand --timings 'Print the time of each phase on stderr (each side''s analysis, the comparison, the report)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'meshlint;graph'= {
            cand -o 'dot (Graphviz), mermaid, or json'
            cand --format 'dot (Graphviz), mermaid, or json'
            cand --output 'dot (Graphviz), mermaid, or json'
            cand -n 'Namespace of resources that have none'
            cand --namespace 'Namespace of resources that have none'
            cand --mesh-config 'A MeshConfig file'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'meshlint;simulate'= {
            cand --from 'The client: <workload>.<namespace>, ingress, ingress:<workload>.<namespace>, or external'
            cand --to 'http://host[:port]/path?query; repeat for a call chain (A calls B, B calls C)'
            cand -X 'HTTP method'
            cand --method 'HTTP method'
            cand -H 'A request header ''name: value'' (repeatable)'
            cand --header 'A request header ''name: value'' (repeatable)'
            cand --port 'The port of the first URL (overrides the URL''s)'
            cand --subset 'Where a route splits traffic, follow the destination with this subset'
            cand -o 'Output format on standard output (machine formats are alone there; logs go to stderr)'
            cand --output 'Output format on standard output (machine formats are alone there; logs go to stderr)'
            cand -n 'Namespace of resources that have none [default: .meshlint.yaml''s, else default]'
            cand --namespace 'Namespace of resources that have none [default: .meshlint.yaml''s, else default]'
            cand --mesh-config 'A MeshConfig file (else the istio ConfigMap in the inputs, else Istio''s defaults)'
            cand --config 'The configuration file [default: .meshlint.yaml in the working directory or a parent]'
            cand --suppress 'Suppress findings: RULE_OR_CODE=Kind namespace/name, `*` globs (repeatable)'
            cand --output-threshold 'Lowest severity shown (the exit code still follows --failure-threshold)'
            cand --istio-version 'Istio version X.Y, for rules whose truth depends on it'
            cand --failure-threshold 'Lowest severity that makes the run fail (exit 1)'
            cand --max-file-bytes 'Largest file read, in bytes'
            cand --max-documents 'Most documents read from one file'
            cand --max-yaml-nodes 'Most nodes one document may expand to through aliases'
            cand --max-depth 'Deepest nesting of YAML collections'
            cand --max-scalar-bytes 'Longest single YAML scalar, in bytes'
            cand --max-file-nodes 'Most YAML nodes in all documents of one file together'
            cand --no-config 'Read no .meshlint.yaml'
            cand --show-suppressed 'Also list the suppressed findings and what suppressed each'
            cand --timings 'Print the time of each phase on stderr (load includes typing each document, in parallel)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'meshlint;test'= {
            cand --tests 'A test file or a directory of test files'
            cand -o 'Output format on standard output (machine formats are alone there; logs go to stderr)'
            cand --output 'Output format on standard output (machine formats are alone there; logs go to stderr)'
            cand -n 'Namespace of resources that have none [default: .meshlint.yaml''s, else default]'
            cand --namespace 'Namespace of resources that have none [default: .meshlint.yaml''s, else default]'
            cand --mesh-config 'A MeshConfig file (else the istio ConfigMap in the inputs, else Istio''s defaults)'
            cand --config 'The configuration file [default: .meshlint.yaml in the working directory or a parent]'
            cand --suppress 'Suppress findings: RULE_OR_CODE=Kind namespace/name, `*` globs (repeatable)'
            cand --output-threshold 'Lowest severity shown (the exit code still follows --failure-threshold)'
            cand --istio-version 'Istio version X.Y, for rules whose truth depends on it'
            cand --failure-threshold 'Lowest severity that makes the run fail (exit 1)'
            cand --max-file-bytes 'Largest file read, in bytes'
            cand --max-documents 'Most documents read from one file'
            cand --max-yaml-nodes 'Most nodes one document may expand to through aliases'
            cand --max-depth 'Deepest nesting of YAML collections'
            cand --max-scalar-bytes 'Longest single YAML scalar, in bytes'
            cand --max-file-nodes 'Most YAML nodes in all documents of one file together'
            cand --no-config 'Read no .meshlint.yaml'
            cand --show-suppressed 'Also list the suppressed findings and what suppressed each'
            cand --timings 'Print the time of each phase on stderr (load includes typing each document, in parallel)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'meshlint;rules'= {
            cand -o 'human (a table) or json'
            cand --output 'human (a table) or json'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'meshlint;explain'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'meshlint;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'meshlint;man'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'meshlint;help'= {
            cand analyze 'Analyze manifests: files, directories, globs, or - for stdin'
            cand authz 'Authorization: which policies apply to a workload, and how a request is decided'
            cand diff 'What a change does to the mesh: new/fixed findings, traffic and security changes'
            cand graph 'Draw the traffic graph (Gateway → VirtualService → route → subset → Service → workloads)'
            cand simulate 'Walk one request (or a call chain) through the mesh and explain its outcome'
            cand test 'Run routing unit tests (istio-config-validator `testCases:` or meshlint''s own format)'
            cand rules 'List every rule: name, codes, default severity, category, summary'
            cand explain 'Print the documentation of a rule (by name, or by IST/KIA code)'
            cand completions 'Print shell completions'
            cand man 'Print the man page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'meshlint;help;analyze'= {
        }
        &'meshlint;help;authz'= {
            cand check 'The workload, its mTLS mode per port and the AuthorizationPolicies that apply (in evaluation order); with --from, the decision on one request'
        }
        &'meshlint;help;authz;check'= {
        }
        &'meshlint;help;diff'= {
        }
        &'meshlint;help;graph'= {
        }
        &'meshlint;help;simulate'= {
        }
        &'meshlint;help;test'= {
        }
        &'meshlint;help;rules'= {
        }
        &'meshlint;help;explain'= {
        }
        &'meshlint;help;completions'= {
        }
        &'meshlint;help;man'= {
        }
        &'meshlint;help;help'= {
        }
    ]
    $completions[$command]
}
