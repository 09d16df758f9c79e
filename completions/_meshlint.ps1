
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'meshlint' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'meshlint'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'meshlint' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('analyze', 'analyze', [CompletionResultType]::ParameterValue, 'Analyze manifests: files, directories, globs, or - for stdin')
            [CompletionResult]::new('authz', 'authz', [CompletionResultType]::ParameterValue, 'Authorization: which policies apply to a workload, and how a request is decided')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'What a change does to the mesh: new/fixed findings, traffic and security changes')
            [CompletionResult]::new('graph', 'graph', [CompletionResultType]::ParameterValue, 'Draw the traffic graph (Gateway → VirtualService → route → subset → Service → workloads)')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Walk one request (or a call chain) through the mesh and explain its outcome')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Run routing unit tests (istio-config-validator `testCases:` or meshlint''s own format)')
            [CompletionResult]::new('rules', 'rules', [CompletionResultType]::ParameterValue, 'List every rule: name, codes, default severity, category, summary')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Print the documentation of a rule (by name, or by IST/KIA code)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'meshlint;analyze' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on standard output (machine formats are alone there; logs go to stderr)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on standard output (machine formats are alone there; logs go to stderr)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of resources that have none [default: .meshlint.yaml''s, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of resources that have none [default: .meshlint.yaml''s, else default]')
            [CompletionResult]::new('--mesh-config', '--mesh-config', [CompletionResultType]::ParameterName, 'A MeshConfig file (else the istio ConfigMap in the inputs, else Istio''s defaults)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: .meshlint.yaml in the working directory or a parent]')
            [CompletionResult]::new('--suppress', '--suppress', [CompletionResultType]::ParameterName, 'Suppress findings: RULE_OR_CODE=Kind namespace/name, `*` globs (repeatable)')
            [CompletionResult]::new('--output-threshold', '--output-threshold', [CompletionResultType]::ParameterName, 'Lowest severity shown (the exit code still follows --failure-threshold)')
            [CompletionResult]::new('--istio-version', '--istio-version', [CompletionResultType]::ParameterName, 'Istio version X.Y, for rules whose truth depends on it')
            [CompletionResult]::new('--failure-threshold', '--failure-threshold', [CompletionResultType]::ParameterName, 'Lowest severity that makes the run fail (exit 1)')
            [CompletionResult]::new('--max-file-bytes', '--max-file-bytes', [CompletionResultType]::ParameterName, 'Largest file read, in bytes')
            [CompletionResult]::new('--max-documents', '--max-documents', [CompletionResultType]::ParameterName, 'Most documents read from one file')
            [CompletionResult]::new('--max-yaml-nodes', '--max-yaml-nodes', [CompletionResultType]::ParameterName, 'Most nodes one document may expand to through aliases')
            [CompletionResult]::new('--max-depth', '--max-depth', [CompletionResultType]::ParameterName, 'Deepest nesting of YAML collections')
            [CompletionResult]::new('--max-scalar-bytes', '--max-scalar-bytes', [CompletionResultType]::ParameterName, 'Longest single YAML scalar, in bytes')
            [CompletionResult]::new('--max-file-nodes', '--max-file-nodes', [CompletionResultType]::ParameterName, 'Most YAML nodes in all documents of one file together')
            [CompletionResult]::new('--output-file', '--output-file', [CompletionResultType]::ParameterName, 'Also write the report in FORMAT to PATH (repeatable: `--output-file sarif=out.sarif`); a plain FILE receives the -o format instead of standard output. Files are written atomically (a temporary file beside them, then a rename)')
            [CompletionResult]::new('--baseline', '--baseline', [CompletionResultType]::ParameterName, 'Report and fail only on findings not recorded in this baseline (see --write-baseline)')
            [CompletionResult]::new('--write-baseline', '--write-baseline', [CompletionResultType]::ParameterName, 'Record today''s findings in FILE (rule, resource and field path of each) and exit 0')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Read no .meshlint.yaml')
            [CompletionResult]::new('--show-suppressed', '--show-suppressed', [CompletionResultType]::ParameterName, 'Also list the suppressed findings and what suppressed each')
            [CompletionResult]::new('--timings', '--timings', [CompletionResultType]::ParameterName, 'Print the time of each phase on stderr (load includes typing each document, in parallel)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'meshlint;authz' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'The workload, its mTLS mode per port and the AuthorizationPolicies that apply (in evaluation order); with --from, the decision on one request')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'meshlint;authz;check' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The caller: <workload>.<namespace>, a principal cluster.local/ns/<ns>/sa/<sa>, or external')
            [CompletionResult]::new('--method', '--method', [CompletionResultType]::ParameterName, 'HTTP method of the request (default GET)')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Path of the request (default /)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port of the request: a Service port or a container port (default: the first)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'A request header ''name: value'' (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'A request header ''name: value'' (repeatable)')
            [CompletionResult]::new('--principal', '--principal', [CompletionResultType]::ParameterName, 'The request principal (<issuer>/<subject>) of a validated JWT')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on standard output (machine formats are alone there; logs go to stderr)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on standard output (machine formats are alone there; logs go to stderr)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of resources that have none [default: .meshlint.yaml''s, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of resources that have none [default: .meshlint.yaml''s, else default]')
            [CompletionResult]::new('--mesh-config', '--mesh-config', [CompletionResultType]::ParameterName, 'A MeshConfig file (else the istio ConfigMap in the inputs, else Istio''s defaults)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: .meshlint.yaml in the working directory or a parent]')
            [CompletionResult]::new('--suppress', '--suppress', [CompletionResultType]::ParameterName, 'Suppress findings: RULE_OR_CODE=Kind namespace/name, `*` globs (repeatable)')
            [CompletionResult]::new('--output-threshold', '--output-threshold', [CompletionResultType]::ParameterName, 'Lowest severity shown (the exit code still follows --failure-threshold)')
            [CompletionResult]::new('--istio-version', '--istio-version', [CompletionResultType]::ParameterName, 'Istio version X.Y, for rules whose truth depends on it')
            [CompletionResult]::new('--failure-threshold', '--failure-threshold', [CompletionResultType]::ParameterName, 'Lowest severity that makes the run fail (exit 1)')
            [CompletionResult]::new('--max-file-bytes', '--max-file-bytes', [CompletionResultType]::ParameterName, 'Largest file read, in bytes')
            [CompletionResult]::new('--max-documents', '--max-documents', [CompletionResultType]::ParameterName, 'Most documents read from one file')
            [CompletionResult]::new('--max-yaml-nodes', '--max-yaml-nodes', [CompletionResultType]::ParameterName, 'Most nodes one document may expand to through aliases')
            [CompletionResult]::new('--max-depth', '--max-depth', [CompletionResultType]::ParameterName, 'Deepest nesting of YAML collections')
            [CompletionResult]::new('--max-scalar-bytes', '--max-scalar-bytes', [CompletionResultType]::ParameterName, 'Longest single YAML scalar, in bytes')
            [CompletionResult]::new('--max-file-nodes', '--max-file-nodes', [CompletionResultType]::ParameterName, 'Most YAML nodes in all documents of one file together')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Read no .meshlint.yaml')
            [CompletionResult]::new('--show-suppressed', '--show-suppressed', [CompletionResultType]::ParameterName, 'Also list the suppressed findings and what suppressed each')
            [CompletionResult]::new('--timings', '--timings', [CompletionResultType]::ParameterName, 'Print the time of each phase on stderr (load includes typing each document, in parallel)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'meshlint;authz;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'The workload, its mTLS mode per port and the AuthorizationPolicies that apply (in evaluation order); with --from, the decision on one request')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'meshlint;authz;help;check' {
            break
        }
        'meshlint;authz;help;help' {
            break
        }
        'meshlint;diff' {
            [CompletionResult]::new('--base', '--base', [CompletionResultType]::ParameterName, 'The base side''s paths (with --head)')
            [CompletionResult]::new('--head', '--head', [CompletionResultType]::ParameterName, 'The head side''s paths (with --base)')
            [CompletionResult]::new('--base-ref', '--base-ref', [CompletionResultType]::ParameterName, 'Read the base side of the same paths from git at REF (the working tree is the head side)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'human, json, markdown (a PR comment) or github (annotations)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'human, json, markdown (a PR comment) or github (annotations)')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Also fail (exit 1) on traffic and/or security changes: `traffic,security`')
            [CompletionResult]::new('--failure-threshold', '--failure-threshold', [CompletionResultType]::ParameterName, 'Lowest severity of a new finding that makes the run fail (exit 1)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of resources that have none [default: .meshlint.yaml''s, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of resources that have none [default: .meshlint.yaml''s, else default]')
            [CompletionResult]::new('--mesh-config', '--mesh-config', [CompletionResultType]::ParameterName, 'A MeshConfig file (else the istio ConfigMap in the inputs, else Istio''s defaults)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: .meshlint.yaml in the working directory or a parent]')
            [CompletionResult]::new('--suppress', '--suppress', [CompletionResultType]::ParameterName, 'Suppress findings: RULE_OR_CODE=Kind namespace/name, `*` globs (repeatable)')
            [CompletionResult]::new('--istio-version', '--istio-version', [CompletionResultType]::ParameterName, 'Istio version X.Y, for rules whose truth depends on it')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Read no .meshlint.yaml')
            [CompletionResult]::new('--timings', '--timings', [CompletionResultType]::ParameterName, 'Print the time of each phase on stderr (each side''s analysis, the comparison, the report)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'meshlint;graph' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'dot (Graphviz), mermaid, or json')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'dot (Graphviz), mermaid, or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'dot (Graphviz), mermaid, or json')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of resources that have none')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of resources that have none')
            [CompletionResult]::new('--mesh-config', '--mesh-config', [CompletionResultType]::ParameterName, 'A MeshConfig file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'meshlint;simulate' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The client: <workload>.<namespace>, ingress, ingress:<workload>.<namespace>, or external')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'http://host[:port]/path?query; repeat for a call chain (A calls B, B calls C)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'HTTP method')
            [CompletionResult]::new('--method', '--method', [CompletionResultType]::ParameterName, 'HTTP method')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'A request header ''name: value'' (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'A request header ''name: value'' (repeatable)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The port of the first URL (overrides the URL''s)')
            [CompletionResult]::new('--subset', '--subset', [CompletionResultType]::ParameterName, 'Where a route splits traffic, follow the destination with this subset')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on standard output (machine formats are alone there; logs go to stderr)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on standard output (machine formats are alone there; logs go to stderr)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of resources that have none [default: .meshlint.yaml''s, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of resources that have none [default: .meshlint.yaml''s, else default]')
            [CompletionResult]::new('--mesh-config', '--mesh-config', [CompletionResultType]::ParameterName, 'A MeshConfig file (else the istio ConfigMap in the inputs, else Istio''s defaults)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: .meshlint.yaml in the working directory or a parent]')
            [CompletionResult]::new('--suppress', '--suppress', [CompletionResultType]::ParameterName, 'Suppress findings: RULE_OR_CODE=Kind namespace/name, `*` globs (repeatable)')
            [CompletionResult]::new('--output-threshold', '--output-threshold', [CompletionResultType]::ParameterName, 'Lowest severity shown (the exit code still follows --failure-threshold)')
            [CompletionResult]::new('--istio-version', '--istio-version', [CompletionResultType]::ParameterName, 'Istio version X.Y, for rules whose truth depends on it')
            [CompletionResult]::new('--failure-threshold', '--failure-threshold', [CompletionResultType]::ParameterName, 'Lowest severity that makes the run fail (exit 1)')
            [CompletionResult]::new('--max-file-bytes', '--max-file-bytes', [CompletionResultType]::ParameterName, 'Largest file read, in bytes')
            [CompletionResult]::new('--max-documents', '--max-documents', [CompletionResultType]::ParameterName, 'Most documents read from one file')
            [CompletionResult]::new('--max-yaml-nodes', '--max-yaml-nodes', [CompletionResultType]::ParameterName, 'Most nodes one document may expand to through aliases')
            [CompletionResult]::new('--max-depth', '--max-depth', [CompletionResultType]::ParameterName, 'Deepest nesting of YAML collections')
            [CompletionResult]::new('--max-scalar-bytes', '--max-scalar-bytes', [CompletionResultType]::ParameterName, 'Longest single YAML scalar, in bytes')
            [CompletionResult]::new('--max-file-nodes', '--max-file-nodes', [CompletionResultType]::ParameterName, 'Most YAML nodes in all documents of one file together')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Read no .meshlint.yaml')
            [CompletionResult]::new('--show-suppressed', '--show-suppressed', [CompletionResultType]::ParameterName, 'Also list the suppressed findings and what suppressed each')
            [CompletionResult]::new('--timings', '--timings', [CompletionResultType]::ParameterName, 'Print the time of each phase on stderr (load includes typing each document, in parallel)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'meshlint;test' {
            [CompletionResult]::new('--tests', '--tests', [CompletionResultType]::ParameterName, 'A test file or a directory of test files')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on standard output (machine formats are alone there; logs go to stderr)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on standard output (machine formats are alone there; logs go to stderr)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of resources that have none [default: .meshlint.yaml''s, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of resources that have none [default: .meshlint.yaml''s, else default]')
            [CompletionResult]::new('--mesh-config', '--mesh-config', [CompletionResultType]::ParameterName, 'A MeshConfig file (else the istio ConfigMap in the inputs, else Istio''s defaults)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: .meshlint.yaml in the working directory or a parent]')
            [CompletionResult]::new('--suppress', '--suppress', [CompletionResultType]::ParameterName, 'Suppress findings: RULE_OR_CODE=Kind namespace/name, `*` globs (repeatable)')
            [CompletionResult]::new('--output-threshold', '--output-threshold', [CompletionResultType]::ParameterName, 'Lowest severity shown (the exit code still follows --failure-threshold)')
            [CompletionResult]::new('--istio-version', '--istio-version', [CompletionResultType]::ParameterName, 'Istio version X.Y, for rules whose truth depends on it')
            [CompletionResult]::new('--failure-threshold', '--failure-threshold', [CompletionResultType]::ParameterName, 'Lowest severity that makes the run fail (exit 1)')
            [CompletionResult]::new('--max-file-bytes', '--max-file-bytes', [CompletionResultType]::ParameterName, 'Largest file read, in bytes')
            [CompletionResult]::new('--max-documents', '--max-documents', [CompletionResultType]::ParameterName, 'Most documents read from one file')
            [CompletionResult]::new('--max-yaml-nodes', '--max-yaml-nodes', [CompletionResultType]::ParameterName, 'Most nodes one document may expand to through aliases')
            [CompletionResult]::new('--max-depth', '--max-depth', [CompletionResultType]::ParameterName, 'Deepest nesting of YAML collections')
            [CompletionResult]::new('--max-scalar-bytes', '--max-scalar-bytes', [CompletionResultType]::ParameterName, 'Longest single YAML scalar, in bytes')
            [CompletionResult]::new('--max-file-nodes', '--max-file-nodes', [CompletionResultType]::ParameterName, 'Most YAML nodes in all documents of one file together')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Read no .meshlint.yaml')
            [CompletionResult]::new('--show-suppressed', '--show-suppressed', [CompletionResultType]::ParameterName, 'Also list the suppressed findings and what suppressed each')
            [CompletionResult]::new('--timings', '--timings', [CompletionResultType]::ParameterName, 'Print the time of each phase on stderr (load includes typing each document, in parallel)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'meshlint;rules' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'human (a table) or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'human (a table) or json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'meshlint;explain' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'meshlint;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'meshlint;man' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'meshlint;help' {
            [CompletionResult]::new('analyze', 'analyze', [CompletionResultType]::ParameterValue, 'Analyze manifests: files, directories, globs, or - for stdin')
            [CompletionResult]::new('authz', 'authz', [CompletionResultType]::ParameterValue, 'Authorization: which policies apply to a workload, and how a request is decided')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'What a change does to the mesh: new/fixed findings, traffic and security changes')
            [CompletionResult]::new('graph', 'graph', [CompletionResultType]::ParameterValue, 'Draw the traffic graph (Gateway → VirtualService → route → subset → Service → workloads)')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Walk one request (or a call chain) through the mesh and explain its outcome')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Run routing unit tests (istio-config-validator `testCases:` or meshlint''s own format)')
            [CompletionResult]::new('rules', 'rules', [CompletionResultType]::ParameterValue, 'List every rule: name, codes, default severity, category, summary')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Print the documentation of a rule (by name, or by IST/KIA code)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'meshlint;help;analyze' {
            break
        }
        'meshlint;help;authz' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'The workload, its mTLS mode per port and the AuthorizationPolicies that apply (in evaluation order); with --from, the decision on one request')
            break
        }
        'meshlint;help;authz;check' {
            break
        }
        'meshlint;help;diff' {
            break
        }
        'meshlint;help;graph' {
            break
        }
        'meshlint;help;simulate' {
            break
        }
        'meshlint;help;test' {
            break
        }
        'meshlint;help;rules' {
            break
        }
        'meshlint;help;explain' {
            break
        }
        'meshlint;help;completions' {
            break
        }
        'meshlint;help;man' {
            break
        }
        'meshlint;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
