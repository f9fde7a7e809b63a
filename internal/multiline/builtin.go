package multiline

import (
	"strings"
	"sync"

	"github.com/sluice-logs/sluice/internal/regex"
)

// builtins are the parsers every configuration can name. The stack-trace
// rules are written for the shapes the runtimes print (see testdata/); they
// are compiled once, on first use.
var builtins = map[string]func() *Parser{
	"docker": sync.OnceValue(func() *Parser { return mustNew("docker", KindDocker, nil) }),
	"cri":    sync.OnceValue(func() *Parser { return mustNew("cri", KindCRI, nil) }),
	"go":     sync.OnceValue(func() *Parser { return mustNew("go", KindRegex, goRules) }),
	"java":   sync.OnceValue(func() *Parser { return mustNew("java", KindRegex, javaRules) }),
	"python": sync.OnceValue(func() *Parser { return mustNew("python", KindRegex, pythonRules) }),
}

// Builtin returns the built-in parser of that name (case-insensitive), or
// nil.
func Builtin(name string) *Parser {
	if f, ok := builtins[strings.ToLower(strings.TrimSpace(name))]; ok {
		return f()
	}
	return nil
}

// rule is a rule written as text: states, regex, next state.
type rule struct{ from, re, next string }

// prefilters are, for the costly unanchored regexes, strings one of which
// every line they match contains (see Rule.Any).
var prefilters = map[string][]string{
	javaStart: {"Exception", "Error", "Throwable"},
}

func mustNew(name string, kind Kind, rules []rule) *Parser {
	var rs []Rule
	for _, r := range rules {
		var any [][]byte
		for _, a := range prefilters[r.re] {
			any = append(any, []byte(a))
		}
		rs = append(rs, Rule{From: strings.Split(r.from, ","), Regex: regex.MustCompile(r.re), Next: r.next, Any: any})
	}
	p, err := New(name, kind, DefaultFlushTimeout, rs)
	if err != nil {
		panic(err)
	}
	return p
}

// goRules follow a Go panic or fatal error:
//
//	panic: runtime error: index out of range [5] with length 3
//	<blank>
//	goroutine 1 [running]:
//	main.main()
//		/app/main.go:8 +0x1d
//	created by main.start in goroutine 1
//		/app/main.go:20 +0x25
//	exit status 2
var goRules = []rule{
	{StartState, `^(?:panic: |fatal error: |http: panic serving )`, "go_panic"},
	{"go_panic", `^\s*$`, "go_panic"},
	{"go_panic", `^\s+panic: |^\[recovered\]|^\[signal `, "go_panic"},
	{"go_panic,go_frame,go_blank", `^goroutine \d+ \[[^\]]+\]:$`, "go_goroutine"},
	{"go_goroutine,go_frame", `^(?:created by )?[\w./()*\[\]{}%$-]+(?:\(.*\))?(?: in goroutine \d+)?$`, "go_func"},
	{"go_goroutine,go_frame", `^\.\.\.additional frames elided\.\.\.$`, "go_frame"},
	{"go_func", `^\t\S.*:\d+(?: \+0x[0-9a-f]+)?$`, "go_frame"},
	{"go_frame", `^$`, "go_blank"},
	{"go_frame", `^exit status \d+$`, "go_end"},
}

// javaStart matches the line naming a Java exception class: a qualified
// name (java.lang.IllegalStateException), or a capitalised simple one,
// ending in Exception, Error or Throwable, then a colon or the line's end.
const javaStart = `(?:^|[\s:])(?:(?:[a-zA-Z_$][\w$]*\.)+[\w$]*|[A-Z][\w$]*)(?:Exception|Error|Throwable)(?::|$)|^Exception in thread "`

// javaRules follow a Java (or Scala, Kotlin) exception and its causes:
//
//	2024-05-01 12:00:00 ERROR Handler - request failed
//	java.lang.IllegalStateException: boom
//		at com.example.Handler.handle(Handler.java:42)
//		... 12 more
//	Caused by: java.io.IOException: disk full
//		at java.base/java.io.FileOutputStream.write(FileOutputStream.java:349)
var javaRules = []rule{
	{StartState, javaStart, "java_exception"},
	{"java_exception,java", `^\s+at `, "java"},
	{"java_exception,java", `^\s*(?:Caused by|Suppressed): `, "java_exception"},
	{"java", `^\s+\.\.\. \d+ (?:more|common frames omitted)$`, "java"},
	{"java_exception", `^\s+\S`, "java_exception"}, // a message that spans lines
}

// pythonRules follow a Python traceback, chained ones included:
//
//	Traceback (most recent call last):
//	  File "/app/main.py", line 10, in <module>
//	    main()
//	ValueError: bad value
var pythonRules = []rule{
	{StartState, `^Traceback \(most recent call last\):$`, "python_tb"},
	{"python_tb,python_code", `^\s+File "`, "python_code"},
	{"python_code", `^\s{4,}\S`, "python_tb"},
	{"python_tb", `^\s+[~^]+[~^ ]*$`, "python_tb"}, // 3.11's carets under the code
	{"python_tb,python_code", `^\s+\.\.\.`, "python_tb"},
	{"python_tb,python_code", `^[\w.]+(?::\s.*)?$`, "python_exc"},
	{"python_exc", `^$`, "python_chain"},
	{"python_chain", `^(?:During handling of the above exception, another exception occurred:|The above exception was the direct cause of the following exception:)$`, "python_chain_head"},
	{"python_chain_head", `^$`, "python_chain_head"},
	{"python_chain_head", `^Traceback \(most recent call last\):$`, "python_tb"},
}
