module github.com/sluice-logs/sluice/bench/regexcmp

go 1.26.8

require github.com/wasilibs/go-re2 v1.13.0

require golang.org/x/sys v0.48.0 // indirect
