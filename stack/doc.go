// Package stack judges stacks and pathways: which valid Open Badges 3.0
// credentials of one learner together earn a larger credential, as a rules
// file (YAML or JSON, schema in rules.schema.json) says.
//
// Every credential is verified first (package verifier); only a valid, or
// valid-with-warnings, Open Badge counts, and every fact a rule reads
// (achievement, issuer, dates, results, credits, recipient) comes from the
// statements its proof covers (verifier.Claims.Award), never from a second
// reading of the JSON. Each requirement names the issuers it accepts:
// achievement ids are not bound to issuers, so anyone could claim one.
//
// Caveats: result order is taken only where the signed statements fix it
// (allowedValue as an RDF list, OB 3.0.2 and later; rubric levels by
// numeric points); a comparison the statements cannot order does not count.
package stack
