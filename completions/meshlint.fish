# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_meshlint_global_optspecs
    string join \n h/help V/version
end

function __fish_meshlint_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_meshlint_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_meshlint_using_subcommand
    set -l cmd (__fish_meshlint_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c meshlint -n "__fish_meshlint_needs_command" -s h -l help -d 'Print help'
complete -c meshlint -n "__fish_meshlint_needs_command" -s V -l version -d 'Print version'
complete -c meshlint -n "__fish_meshlint_needs_command" -f -a "analyze" -d 'Analyze manifests: files, directories, globs, or - for stdin'
complete -c meshlint -n "__fish_meshlint_needs_command" -f -a "authz" -d 'Authorization: which policies apply to a workload, and how a request is decided'
complete -c meshlint -n "__fish_meshlint_needs_command" -f -a "diff" -d 'What a change does to the mesh: new/fixed findings, traffic and security changes'
complete -c meshlint -n "__fish_meshlint_needs_command" -f -a "graph" -d 'Draw the traffic graph (Gateway → VirtualService → route → subset → Service → workloads)'
complete -c meshlint -n "__fish_meshlint_needs_command" -f -a "simulate" -d 'Walk one request (or a call chain) through the mesh and explain its outcome'
complete -c meshlint -n "__fish_meshlint_needs_command" -f -a "test" -d 'Run routing unit tests (istio-config-validator `testCases:` or meshlint\'s own format)'
complete -c meshlint -n "__fish_meshlint_needs_command" -f -a "rules" -d 'List every rule: name, codes, default severity, category, summary'
complete -c meshlint -n "__fish_meshlint_needs_command" -f -a "explain" -d 'Print the documentation of a rule (by name, or by IST/KIA code)'
complete -c meshlint -n "__fish_meshlint_needs_command" -f -a "completions" -d 'Print shell completions'
complete -c meshlint -n "__fish_meshlint_needs_command" -f -a "man" -d 'Print the man page (roff)'
complete -c meshlint -n "__fish_meshlint_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c meshlint -n "__fish_meshlint_using_subcommand analyze" -s o -l output -d 'Output format on standard output (machine formats are alone there; logs go to stderr)' -r -f -a "human\t'Snippets with the offending span underlined, grouped by file, and a summary line'
json\t'The diagnostic JSON of design.md'
yaml\t'The same document as json, in YAML'
sarif\t'SARIF 2.1.0, as GitHub code scanning accepts it'
github\t'GitHub Actions workflow commands (annotations on the pull request)'
junit\t'JUnit XML: one testcase per resource and rule'
codeclimate\t'GitLab code quality (Code Climate subset)'"
complete -c meshlint -n "__fish_meshlint_using_subcommand analyze" -s n -l namespace -d 'Namespace of resources that have none [default: .meshlint.yaml\'s, else default]' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand analyze" -l mesh-config -d 'A MeshConfig file (else the istio ConfigMap in the inputs, else Istio\'s defaults)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand analyze" -l config -d 'The configuration file [default: .meshlint.yaml in the working directory or a parent]' -r -F
complete -c meshlint -n "__fish_meshlint_using_subcommand analyze" -l suppress -d 'Suppress findings: RULE_OR_CODE=Kind namespace/name, `*` globs (repeatable)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand analyze" -l output-threshold -d 'Lowest severity shown (the exit code still follows --failure-threshold)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand analyze" -l istio-version -d 'Istio version X.Y, for rules whose truth depends on it' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand analyze" -l failure-threshold -d 'Lowest severity that makes the run fail (exit 1)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand analyze" -l max-file-bytes -d 'Largest file read, in bytes' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand analyze" -l max-documents -d 'Most documents read from one file' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand analyze" -l max-yaml-nodes -d 'Most nodes one document may expand to through aliases' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand analyze" -l max-depth -d 'Deepest nesting of YAML collections' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand analyze" -l max-scalar-bytes -d 'Longest single YAML scalar, in bytes' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand analyze" -l max-file-nodes -d 'Most YAML nodes in all documents of one file together' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand analyze" -l output-file -d 'Also write the report in FORMAT to PATH (repeatable: `--output-file sarif=out.sarif`); a plain FILE receives the -o format instead of standard output. Files are written atomically (a temporary file beside them, then a rename)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand analyze" -l baseline -d 'Report and fail only on findings not recorded in this baseline (see --write-baseline)' -r -F
complete -c meshlint -n "__fish_meshlint_using_subcommand analyze" -l write-baseline -d 'Record today\'s findings in FILE (rule, resource and field path of each) and exit 0' -r -F
complete -c meshlint -n "__fish_meshlint_using_subcommand analyze" -l no-config -d 'Read no .meshlint.yaml'
complete -c meshlint -n "__fish_meshlint_using_subcommand analyze" -l show-suppressed -d 'Also list the suppressed findings and what suppressed each'
complete -c meshlint -n "__fish_meshlint_using_subcommand analyze" -l timings -d 'Print the time of each phase on stderr (load includes typing each document, in parallel)'
complete -c meshlint -n "__fish_meshlint_using_subcommand analyze" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and not __fish_seen_subcommand_from check help" -s h -l help -d 'Print help'
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and not __fish_seen_subcommand_from check help" -f -a "check" -d 'The workload, its mTLS mode per port and the AuthorizationPolicies that apply (in evaluation order); with --from, the decision on one request'
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and not __fish_seen_subcommand_from check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from check" -l from -d 'The caller: <workload>.<namespace>, a principal cluster.local/ns/<ns>/sa/<sa>, or external' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from check" -l method -d 'HTTP method of the request (default GET)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from check" -l path -d 'Path of the request (default /)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from check" -l port -d 'Port of the request: a Service port or a container port (default: the first)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from check" -s H -l header -d 'A request header \'name: value\' (repeatable)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from check" -l principal -d 'The request principal (<issuer>/<subject>) of a validated JWT' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from check" -s o -l output -d 'Output format on standard output (machine formats are alone there; logs go to stderr)' -r -f -a "human\t'Snippets with the offending span underlined, grouped by file, and a summary line'
json\t'The diagnostic JSON of design.md'
yaml\t'The same document as json, in YAML'
sarif\t'SARIF 2.1.0, as GitHub code scanning accepts it'
github\t'GitHub Actions workflow commands (annotations on the pull request)'
junit\t'JUnit XML: one testcase per resource and rule'
codeclimate\t'GitLab code quality (Code Climate subset)'"
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from check" -s n -l namespace -d 'Namespace of resources that have none [default: .meshlint.yaml\'s, else default]' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from check" -l mesh-config -d 'A MeshConfig file (else the istio ConfigMap in the inputs, else Istio\'s defaults)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from check" -l config -d 'The configuration file [default: .meshlint.yaml in the working directory or a parent]' -r -F
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from check" -l suppress -d 'Suppress findings: RULE_OR_CODE=Kind namespace/name, `*` globs (repeatable)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from check" -l output-threshold -d 'Lowest severity shown (the exit code still follows --failure-threshold)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from check" -l istio-version -d 'Istio version X.Y, for rules whose truth depends on it' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from check" -l failure-threshold -d 'Lowest severity that makes the run fail (exit 1)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from check" -l max-file-bytes -d 'Largest file read, in bytes' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from check" -l max-documents -d 'Most documents read from one file' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from check" -l max-yaml-nodes -d 'Most nodes one document may expand to through aliases' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from check" -l max-depth -d 'Deepest nesting of YAML collections' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from check" -l max-scalar-bytes -d 'Longest single YAML scalar, in bytes' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from check" -l max-file-nodes -d 'Most YAML nodes in all documents of one file together' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from check" -l no-config -d 'Read no .meshlint.yaml'
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from check" -l show-suppressed -d 'Also list the suppressed findings and what suppressed each'
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from check" -l timings -d 'Print the time of each phase on stderr (load includes typing each document, in parallel)'
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from help" -f -a "check" -d 'The workload, its mTLS mode per port and the AuthorizationPolicies that apply (in evaluation order); with --from, the decision on one request'
complete -c meshlint -n "__fish_meshlint_using_subcommand authz; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c meshlint -n "__fish_meshlint_using_subcommand diff" -l base -d 'The base side\'s paths (with --head)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand diff" -l head -d 'The head side\'s paths (with --base)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand diff" -l base-ref -d 'Read the base side of the same paths from git at REF (the working tree is the head side)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand diff" -s o -l output -d 'human, json, markdown (a PR comment) or github (annotations)' -r -f -a "human\t'The three sections as text, one sentence per change'
json\t'The whole comparison as JSON'
markdown\t'A pull-request comment with collapsible sections'
github\t'GitHub Actions annotations'"
complete -c meshlint -n "__fish_meshlint_using_subcommand diff" -l fail-on -d 'Also fail (exit 1) on traffic and/or security changes: `traffic,security`' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand diff" -l failure-threshold -d 'Lowest severity of a new finding that makes the run fail (exit 1)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand diff" -s n -l namespace -d 'Namespace of resources that have none [default: .meshlint.yaml\'s, else default]' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand diff" -l mesh-config -d 'A MeshConfig file (else the istio ConfigMap in the inputs, else Istio\'s defaults)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand diff" -l config -d 'The configuration file [default: .meshlint.yaml in the working directory or a parent]' -r -F
complete -c meshlint -n "__fish_meshlint_using_subcommand diff" -l suppress -d 'Suppress findings: RULE_OR_CODE=Kind namespace/name, `*` globs (repeatable)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand diff" -l istio-version -d 'Istio version X.Y, for rules whose truth depends on it' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand diff" -l no-config -d 'Read no .meshlint.yaml'
complete -c meshlint -n "__fish_meshlint_using_subcommand diff" -l timings -d 'Print the time of each phase on stderr (each side\'s analysis, the comparison, the report)'
complete -c meshlint -n "__fish_meshlint_using_subcommand diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c meshlint -n "__fish_meshlint_using_subcommand graph" -s o -l format -l output -d 'dot (Graphviz), mermaid, or json' -r -f -a "dot\t''
mermaid\t''
json\t''"
complete -c meshlint -n "__fish_meshlint_using_subcommand graph" -s n -l namespace -d 'Namespace of resources that have none' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand graph" -l mesh-config -d 'A MeshConfig file' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand graph" -s h -l help -d 'Print help'
complete -c meshlint -n "__fish_meshlint_using_subcommand simulate" -l from -d 'The client: <workload>.<namespace>, ingress, ingress:<workload>.<namespace>, or external' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand simulate" -l to -d 'http://host[:port]/path?query; repeat for a call chain (A calls B, B calls C)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand simulate" -s X -l method -d 'HTTP method' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand simulate" -s H -l header -d 'A request header \'name: value\' (repeatable)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand simulate" -l port -d 'The port of the first URL (overrides the URL\'s)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand simulate" -l subset -d 'Where a route splits traffic, follow the destination with this subset' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand simulate" -s o -l output -d 'Output format on standard output (machine formats are alone there; logs go to stderr)' -r -f -a "human\t'Snippets with the offending span underlined, grouped by file, and a summary line'
json\t'The diagnostic JSON of design.md'
yaml\t'The same document as json, in YAML'
sarif\t'SARIF 2.1.0, as GitHub code scanning accepts it'
github\t'GitHub Actions workflow commands (annotations on the pull request)'
junit\t'JUnit XML: one testcase per resource and rule'
codeclimate\t'GitLab code quality (Code Climate subset)'"
complete -c meshlint -n "__fish_meshlint_using_subcommand simulate" -s n -l namespace -d 'Namespace of resources that have none [default: .meshlint.yaml\'s, else default]' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand simulate" -l mesh-config -d 'A MeshConfig file (else the istio ConfigMap in the inputs, else Istio\'s defaults)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand simulate" -l config -d 'The configuration file [default: .meshlint.yaml in the working directory or a parent]' -r -F
complete -c meshlint -n "__fish_meshlint_using_subcommand simulate" -l suppress -d 'Suppress findings: RULE_OR_CODE=Kind namespace/name, `*` globs (repeatable)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand simulate" -l output-threshold -d 'Lowest severity shown (the exit code still follows --failure-threshold)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand simulate" -l istio-version -d 'Istio version X.Y, for rules whose truth depends on it' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand simulate" -l failure-threshold -d 'Lowest severity that makes the run fail (exit 1)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand simulate" -l max-file-bytes -d 'Largest file read, in bytes' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand simulate" -l max-documents -d 'Most documents read from one file' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand simulate" -l max-yaml-nodes -d 'Most nodes one document may expand to through aliases' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand simulate" -l max-depth -d 'Deepest nesting of YAML collections' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand simulate" -l max-scalar-bytes -d 'Longest single YAML scalar, in bytes' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand simulate" -l max-file-nodes -d 'Most YAML nodes in all documents of one file together' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand simulate" -l no-config -d 'Read no .meshlint.yaml'
complete -c meshlint -n "__fish_meshlint_using_subcommand simulate" -l show-suppressed -d 'Also list the suppressed findings and what suppressed each'
complete -c meshlint -n "__fish_meshlint_using_subcommand simulate" -l timings -d 'Print the time of each phase on stderr (load includes typing each document, in parallel)'
complete -c meshlint -n "__fish_meshlint_using_subcommand simulate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c meshlint -n "__fish_meshlint_using_subcommand test" -l tests -d 'A test file or a directory of test files' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand test" -s o -l output -d 'Output format on standard output (machine formats are alone there; logs go to stderr)' -r -f -a "human\t'Snippets with the offending span underlined, grouped by file, and a summary line'
json\t'The diagnostic JSON of design.md'
yaml\t'The same document as json, in YAML'
sarif\t'SARIF 2.1.0, as GitHub code scanning accepts it'
github\t'GitHub Actions workflow commands (annotations on the pull request)'
junit\t'JUnit XML: one testcase per resource and rule'
codeclimate\t'GitLab code quality (Code Climate subset)'"
complete -c meshlint -n "__fish_meshlint_using_subcommand test" -s n -l namespace -d 'Namespace of resources that have none [default: .meshlint.yaml\'s, else default]' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand test" -l mesh-config -d 'A MeshConfig file (else the istio ConfigMap in the inputs, else Istio\'s defaults)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand test" -l config -d 'The configuration file [default: .meshlint.yaml in the working directory or a parent]' -r -F
complete -c meshlint -n "__fish_meshlint_using_subcommand test" -l suppress -d 'Suppress findings: RULE_OR_CODE=Kind namespace/name, `*` globs (repeatable)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand test" -l output-threshold -d 'Lowest severity shown (the exit code still follows --failure-threshold)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand test" -l istio-version -d 'Istio version X.Y, for rules whose truth depends on it' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand test" -l failure-threshold -d 'Lowest severity that makes the run fail (exit 1)' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand test" -l max-file-bytes -d 'Largest file read, in bytes' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand test" -l max-documents -d 'Most documents read from one file' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand test" -l max-yaml-nodes -d 'Most nodes one document may expand to through aliases' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand test" -l max-depth -d 'Deepest nesting of YAML collections' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand test" -l max-scalar-bytes -d 'Longest single YAML scalar, in bytes' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand test" -l max-file-nodes -d 'Most YAML nodes in all documents of one file together' -r
complete -c meshlint -n "__fish_meshlint_using_subcommand test" -l no-config -d 'Read no .meshlint.yaml'
complete -c meshlint -n "__fish_meshlint_using_subcommand test" -l show-suppressed -d 'Also list the suppressed findings and what suppressed each'
complete -c meshlint -n "__fish_meshlint_using_subcommand test" -l timings -d 'Print the time of each phase on stderr (load includes typing each document, in parallel)'
complete -c meshlint -n "__fish_meshlint_using_subcommand test" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c meshlint -n "__fish_meshlint_using_subcommand rules" -s o -l output -d 'human (a table) or json' -r -f -a "human\t''
json\t''"
complete -c meshlint -n "__fish_meshlint_using_subcommand rules" -s h -l help -d 'Print help'
complete -c meshlint -n "__fish_meshlint_using_subcommand explain" -s h -l help -d 'Print help'
complete -c meshlint -n "__fish_meshlint_using_subcommand completions" -s h -l help -d 'Print help'
complete -c meshlint -n "__fish_meshlint_using_subcommand man" -s h -l help -d 'Print help'
complete -c meshlint -n "__fish_meshlint_using_subcommand help; and not __fish_seen_subcommand_from analyze authz diff graph simulate test rules explain completions man help" -f -a "analyze" -d 'Analyze manifests: files, directories, globs, or - for stdin'
complete -c meshlint -n "__fish_meshlint_using_subcommand help; and not __fish_seen_subcommand_from analyze authz diff graph simulate test rules explain completions man help" -f -a "authz" -d 'Authorization: which policies apply to a workload, and how a request is decided'
complete -c meshlint -n "__fish_meshlint_using_subcommand help; and not __fish_seen_subcommand_from analyze authz diff graph simulate test rules explain completions man help" -f -a "diff" -d 'What a change does to the mesh: new/fixed findings, traffic and security changes'
complete -c meshlint -n "__fish_meshlint_using_subcommand help; and not __fish_seen_subcommand_from analyze authz diff graph simulate test rules explain completions man help" -f -a "graph" -d 'Draw the traffic graph (Gateway → VirtualService → route → subset → Service → workloads)'
complete -c meshlint -n "__fish_meshlint_using_subcommand help; and not __fish_seen_subcommand_from analyze authz diff graph simulate test rules explain completions man help" -f -a "simulate" -d 'Walk one request (or a call chain) through the mesh and explain its outcome'
complete -c meshlint -n "__fish_meshlint_using_subcommand help; and not __fish_seen_subcommand_from analyze authz diff graph simulate test rules explain completions man help" -f -a "test" -d 'Run routing unit tests (istio-config-validator `testCases:` or meshlint\'s own format)'
complete -c meshlint -n "__fish_meshlint_using_subcommand help; and not __fish_seen_subcommand_from analyze authz diff graph simulate test rules explain completions man help" -f -a "rules" -d 'List every rule: name, codes, default severity, category, summary'
complete -c meshlint -n "__fish_meshlint_using_subcommand help; and not __fish_seen_subcommand_from analyze authz diff graph simulate test rules explain completions man help" -f -a "explain" -d 'Print the documentation of a rule (by name, or by IST/KIA code)'
complete -c meshlint -n "__fish_meshlint_using_subcommand help; and not __fish_seen_subcommand_from analyze authz diff graph simulate test rules explain completions man help" -f -a "completions" -d 'Print shell completions'
complete -c meshlint -n "__fish_meshlint_using_subcommand help; and not __fish_seen_subcommand_from analyze authz diff graph simulate test rules explain completions man help" -f -a "man" -d 'Print the man page (roff)'
complete -c meshlint -n "__fish_meshlint_using_subcommand help; and not __fish_seen_subcommand_from analyze authz diff graph simulate test rules explain completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c meshlint -n "__fish_meshlint_using_subcommand help; and __fish_seen_subcommand_from authz" -f -a "check" -d 'The workload, its mTLS mode per port and the AuthorizationPolicies that apply (in evaluation order); with --from, the decision on one request'
