// Package redact implements the redact filter: it masks secrets and
// personal data inside records before they leave the router — AWS access key
// IDs and secret keys, private keys, JWTs, bearer and basic credentials,
// passwords in URLs, payment card numbers (Luhn- and issuer-checked), the
// values of keys named like passwords, and, when selected, e-mail addresses
// and IP addresses, plus any custom regular expression.
//
// Fluent Bit has no such filter; the parameters follow its conventions.
//
// # How it works
//
// Every string value of a record (or of the keys named by Key), at any depth,
// is checked by each selected detector. A detector first runs a cheap
// trigger (a substring or a digit count) and only runs its regular
// expression when the trigger fires, so clean records cost a scan and no
// allocation. A record with no finding is copied through byte for byte; a
// batch with no finding at all is passed on unchanged. Each finding is
// replaced by Replacement, in which {rule} stands for the detector's name.
//
// Detectors mask only the secret part of a match: "password=hunter2" in a
// URL keeps the user and host, "Authorization: Bearer X" keeps the scheme,
// "aws_secret_access_key = X" keeps the key name. The corpus in testdata
// (labelled positive and negative lines) measures misses and false hits;
// see the package tests and BENCHMARKS.md.
package redact
