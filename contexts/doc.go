// Package contexts ships the JSON-LD contexts badgesmith needs, embedded in the
// binary, and an offline ld.DocumentLoader over them.
//
// Every context is taken from the npm package that publishes it (or, where no
// package does, written from the term definitions of its specification) by the
// script sync.sh in this directory, which records each file's URL, source and
// SHA-256 in manifest.json. The loader never touches the network: a URL that is
// not bundled is an error wrapping ErrNotBundled that names the URL.
package contexts
