// Package plugindoc turns the plugin declarations (plugin.Spec) and the
// [SERVICE] declaration into the plugin reference: the listing and detail
// views of `sluice plugins`, its --json form, and the Markdown files under
// docs/ written by `sluice plugins --markdown-dir docs` (`make docs`).
//
// Nothing here is written by hand per plugin: a parameter's name, type,
// default, options and one-line doc come from its Param, so the reference
// cannot say something the code does not do. Check holds the rules a
// declaration must meet to be documented (every parameter has a Doc, its
// Default parses, ...); the tests of this package run it on every built-in
// plugin and fail when the committed docs/ differ from what the code
// generates.
package plugindoc
