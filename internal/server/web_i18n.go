package server

import (
	"strconv"
	"strings"
)

// webLangs are the languages of the web pages, the first the default.
var webLangs = [...]string{"en", "fr"}

// pickLang chooses the page language: the explicit choice (the switch's
// ?lang= or the form's field) when it names one of webLangs, else the
// Accept-Language entry with the highest q that does, else English.
func pickLang(explicit, acceptLanguage string) string {
	if l := baseLang(explicit); l != "" {
		return l
	}
	best, bestQ := webLangs[0], -1.0
	for i, entry := range strings.Split(acceptLanguage, ",") {
		if i >= 32 {
			break // a longer header is not a person's preference list
		}
		tag, params, _ := strings.Cut(strings.TrimSpace(entry), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		if l := baseLang(tag); l != "" && q > bestQ && q > 0 {
			best, bestQ = l, q
		}
	}
	return best
}

// baseLang maps a language tag ("fr-CA", "EN") to one of webLangs, or "".
func baseLang(tag string) string {
	base, _, _ := strings.Cut(strings.TrimSpace(tag), "-")
	base = strings.ToLower(base)
	for _, l := range webLangs {
		if base == l {
			return l
		}
	}
	return ""
}

// webMessages is the message catalogue of one language. The keys are the
// same in every language (TestWebCatalogueComplete); a value with %s takes
// one argument.
func webMessages(lang string) map[string]string {
	if lang == "fr" {
		return map[string]string{
			"lang.name":                    "Français",
			"lang.switch":                  "English",
			"title":                        "Vérifier un badge",
			"intro":                        "Collez un badge numérique (JSON ou JWT) ou choisissez un fichier : JSON, JWT ou image de badge PNG ou SVG. La vérification se fait sur ce serveur ; rien n’est conservé.",
			"skip":                         "Aller au contenu",
			"form.paste":                   "Coller le badge (JSON ou JWT)",
			"form.file":                    "Ou choisir un fichier (JSON, JWT, PNG ou SVG)",
			"form.file.hint":               "Au plus %d Kio.",
			"form.submit":                  "Vérifier",
			"form.drop":                    "Vous pouvez aussi déposer un fichier sur ce formulaire.",
			"form.chosen":                  "Fichier choisi : %s",
			"form.url":                     "Ou donner l’adresse d’un badge hébergé ailleurs (https)",
			"form.url.submit":              "Vérifier l’adresse",
			"err.url":                      "L’adresse doit être une URL https.",
			"err.fetch":                    "Le badge n’a pas pu être téléchargé : %s",
			"err.read":                     "La demande n’a pas pu être lue.",
			"err.large":                    "Le fichier ou le texte est trop volumineux.",
			"err.empty":                    "Collez un badge ou choisissez un fichier.",
			"verdict.label":                "Résultat de la vérification :",
			"verdict.valid":                "Ce badge est valide",
			"verdict.valid.detail":         "La signature est authentique, la clé appartient à l’émetteur, les dates sont respectées et l’émetteur ne l’a pas révoqué.",
			"verdict.warnings":             "Ce badge est valide, avec des avertissements",
			"verdict.warnings.detail":      "La signature, l’émetteur, les dates et le statut sont bons ; certains éléments s’écartent du modèle Open Badges (voir les vérifications).",
			"verdict.invalid":              "Ce badge n’est pas valide",
			"verdict.invalid.detail":       "Voir les vérifications ci-dessous pour la raison technique.",
			"verdict.unknown":              "Ce badge n’a pas pu être vérifié",
			"verdict.unknown.detail":       "Une vérification n’a pas pu être effectuée (%s) : le badge n’est ni confirmé ni rejeté.",
			"invalid.proof":                "Ce badge a été modifié ou sa signature n’est pas authentique",
			"invalid.status":               "Ce badge a été révoqué par son émetteur",
			"invalid.suspended":            "Ce badge a été suspendu par son émetteur",
			"invalid.expired":              "Ce badge a expiré",
			"invalid.notyet":               "Ce badge n’est pas encore valide",
			"invalid.issuer":               "Ce badge n’a pas été signé par une clé de son émetteur",
			"invalid.parse":                "Ce document n’est pas un badge lisible",
			"invalid.schema":               "Ce badge n’est pas conforme au format Open Badges",
			"invalid.type":                 "Ce badge n’est pas conforme au format Open Badges",
			"invalid.context":              "Ce badge n’est pas conforme au format Open Badges",
			"sec.unverified":               "Contenu non vérifié",
			"sec.results":                  "Résultats",
			"result.level":                 "niveau",
			"sec.rubric":                   "Grille d’évaluation",
			"rubric.achieved":              "atteint",
			"sec.embedded":                 "Contenu du relevé (CLR)",
			"embedded.valid":               "valide",
			"embedded.valid with warnings": "valide, avec avertissements",
			"embedded.invalid":             "non valide",
			"embedded.could not check":     "n’a pas pu être vérifié",
			"sec.achievement":              "Réussite",
			"sec.issuer":                   "Émetteur",
			"sec.recipient":                "Titulaire",
			"sec.dates":                    "Dates",
			"sec.checks":                   "Vérifications",
			"sec.explain":                  "Pourquoi un autre vérificateur pourrait-il ne pas être d’accord ?",
			"unsure":                       "Ces détails sont ceux du document ; aucune signature valide ne les couvre.",
			"ach.name":                     "Nom",
			"ach.description":              "Description",
			"ach.criteria":                 "Critères",
			"ach.type":                     "Type",
			"ach.credits":                  "Crédits",
			"ach.alignments":               "Compétences",
			"ach.image":                    "Image du badge",
			"image.remote":                 "L’image est hébergée ailleurs ; elle n’est pas chargée, pour ne pas signaler votre visite.",
			"image.refused":                "L’image n’est pas affichée : seules les images PNG, JPEG, GIF ou WebP intégrées de 256 Kio au plus le sont.",
			"issuer.id":                    "Identifiant vérifié",
			"issuer.bound":                 "La clé de signature est liée à cet identifiant.",
			"issuer.notbound":              "La clé de signature n’a pas pu être liée à cet identifiant.",
			"issuer.calls":                 "se présente comme « %s »",
			"issuer.calls.note":            "Ce nom est celui que le badge se donne ; n’importe qui peut signer un badge portant le nom d’une université. Seul l’identifiant est vérifié.",
			"recipient.hashed":             "Le titulaire est identifié par une adresse courriel hachée.",
			"issuer.recognised":            "Reconnu par la liste de confiance « %s » sous le nom « %s ».",
			"issuer.notrecognised":         "Aucune liste de confiance configurée ne reconnaît cet émetteur.",
			"sec.endorsements":             "Appuis",
			"endorsement.counted":          "appui valide",
			"endorsement.notcounted":       "ne compte pas :",
			"endorsement.recognised":       "l’auteur de l’appui est reconnu par une liste de confiance",
			"recipient.check":              "Vérifier une adresse courriel contre le hachage",
			"recipient.check.button":       "Vérifier l’adresse courriel",
			"recipient.match":              "Cette adresse courriel est celle du titulaire.",
			"recipient.nomatch":            "Cette adresse courriel n’est pas celle du titulaire.",
			"recipient.none":               "Le badge ne nomme pas de titulaire.",
			"date.validFrom":               "Valide à partir du",
			"date.issuanceDate":            "Émis le",
			"date.validUntil":              "Valide jusqu’au",
			"date.expirationDate":          "Expire le",
			"check.parse":                  "Lecture du document",
			"check.context":                "Contexte JSON-LD",
			"check.type":                   "Type",
			"check.schema":                 "Schéma",
			"check.proof":                  "Signature",
			"check.issuer":                 "Clé de l’émetteur",
			"check.validity":               "Dates de validité",
			"check.status":                 "Révocation et suspension",
			"check.catalogue":              "Catalogue",
			"status.pass":                  "réussie",
			"status.warning":               "avertissement",
			"status.fail":                  "échec",
			"status.skipped":               "non effectuée",
			"status.error":                 "impossible à effectuer",
			"check.reason":                 "Raison technique",
			"check.path":                   "Champ",
			"explain.show":                 "Afficher les faits techniques",
			"explain.intro":                "Les faits ci-dessous sont ceux de « badgesmith verify --explain » : ce que ce vérificateur a lu et calculé, pour comparaison avec un autre.",
			"explain.format":               "Format",
			"explain.contexts":             "Fichiers de contexte (jamais téléchargés)",
			"explain.inline":               "(objet de contexte intégré) : non fourni",
			"explain.notbundled":           "non fourni",
			"explain.matches":              "correspond à la copie intégrée",
			"explain.differs":              "NE correspond PAS à la copie intégrée",
			"explain.proof":                "Preuve",
			"explain.noproof":              "aucune preuve vérifiée avec la clé de l’émetteur",
			"explain.optionsHash":          "Hachage des options de preuve",
			"explain.documentHash":         "Hachage du document",
			"explain.inputHash":            "Hachage SHA-256 de l’entrée signée (en-tête.charge)",
			"explain.nquads":               "N-Quads canoniques des énoncés signés",
			"explain.key":                  "Clé",
			"explain.status":               "Listes de statut",
			"explain.fresh":                "à jour",
			"explain.stale":                "périmée",
			"explain.differences":          "Différences d’implémentation connues qui s’appliquent",
			"explain.nodifferences":        "Aucune différence connue ne s’applique.",
			"again":                        "Vérifier un autre badge",
		}
	}
	return map[string]string{
		"lang.name":                    "English",
		"lang.switch":                  "Français",
		"title":                        "Verify a badge",
		"intro":                        "Paste a digital badge (JSON or JWT) or choose a file: JSON, JWT, or a baked PNG or SVG badge image. It is checked on this server; nothing is kept.",
		"skip":                         "Skip to content",
		"form.paste":                   "Paste the badge (JSON or JWT)",
		"form.file":                    "Or choose a file (JSON, JWT, PNG or SVG)",
		"form.file.hint":               "At most %d KiB.",
		"form.submit":                  "Verify",
		"form.drop":                    "You can also drop a file on this form.",
		"form.chosen":                  "File chosen: %s",
		"form.url":                     "Or give the address of a badge hosted elsewhere (https)",
		"form.url.submit":              "Verify the address",
		"err.url":                      "The address must be an https URL.",
		"err.fetch":                    "The badge could not be fetched: %s",
		"err.read":                     "The request could not be read.",
		"err.large":                    "The file or text is too large.",
		"err.empty":                    "Paste a badge or choose a file.",
		"verdict.label":                "Verification result:",
		"verdict.valid":                "This badge is valid",
		"verdict.valid.detail":         "The signature is genuine, the key belongs to the issuer, the dates hold and the issuer has not revoked it.",
		"verdict.warnings":             "This badge is valid, with warnings",
		"verdict.warnings.detail":      "Signature, issuer, dates and status are good; some parts depart from the Open Badges model (see the checks).",
		"verdict.invalid":              "This badge is not valid",
		"verdict.invalid.detail":       "See the checks below for the technical reason.",
		"verdict.unknown":              "This badge could not be checked",
		"verdict.unknown.detail":       "A check could not be run (%s): the badge is neither confirmed nor rejected.",
		"invalid.proof":                "This badge has been altered or its signature is not genuine",
		"invalid.status":               "This badge has been revoked by its issuer",
		"invalid.suspended":            "This badge has been suspended by its issuer",
		"invalid.expired":              "This badge has expired",
		"invalid.notyet":               "This badge is not valid yet",
		"invalid.issuer":               "This badge was not signed by a key its issuer controls",
		"invalid.parse":                "This is not a badge that can be read",
		"invalid.schema":               "This badge does not follow the Open Badges format",
		"invalid.type":                 "This badge does not follow the Open Badges format",
		"invalid.context":              "This badge does not follow the Open Badges format",
		"sec.unverified":               "Unverified content",
		"sec.results":                  "Results",
		"result.level":                 "level",
		"sec.rubric":                   "Rubric",
		"rubric.achieved":              "achieved",
		"sec.embedded":                 "Contents of this record (CLR)",
		"embedded.valid":               "valid",
		"embedded.valid with warnings": "valid with warnings",
		"embedded.invalid":             "invalid",
		"embedded.could not check":     "could not check",
		"sec.achievement":              "Achievement",
		"sec.issuer":                   "Issuer",
		"sec.recipient":                "Recipient",
		"sec.dates":                    "Dates",
		"sec.checks":                   "Checks",
		"sec.explain":                  "Why might another verifier disagree?",
		"unsure":                       "These details are what the document says; no valid signature covers them.",
		"ach.name":                     "Name",
		"ach.description":              "Description",
		"ach.criteria":                 "Criteria",
		"ach.type":                     "Type",
		"ach.credits":                  "Credits",
		"ach.alignments":               "Competencies",
		"ach.image":                    "Badge image",
		"image.remote":                 "The image is hosted elsewhere; it is not loaded, so that its host does not learn of your visit.",
		"image.refused":                "The image is not shown: only embedded PNG, JPEG, GIF or WebP images of at most 256 KiB are.",
		"issuer.id":                    "Verified identifier",
		"issuer.bound":                 "The signing key is bound to this identifier.",
		"issuer.notbound":              "The signing key could not be bound to this identifier.",
		"issuer.calls":                 "calls itself “%s”",
		"issuer.calls.note":            "This is the name the badge gives itself; anyone can sign a badge naming itself a university. Only the identifier is verified.",
		"recipient.hashed":             "The recipient is identified by a hashed email address.",
		"issuer.recognised":            "Recognised by the trust list “%s” as “%s”.",
		"issuer.notrecognised":         "No configured trust list recognises this issuer.",
		"sec.endorsements":             "Endorsements",
		"endorsement.counted":          "a valid endorsement",
		"endorsement.notcounted":       "does not count:",
		"endorsement.recognised":       "the endorser is recognised by a trust list",
		"recipient.check":              "Check an email address against the hash",
		"recipient.check.button":       "Check the email address",
		"recipient.match":              "This email address is the recipient's.",
		"recipient.nomatch":            "This email address is not the recipient's.",
		"recipient.none":               "The badge names no recipient.",
		"date.validFrom":               "Valid from",
		"date.issuanceDate":            "Issued on",
		"date.validUntil":              "Valid until",
		"date.expirationDate":          "Expires on",
		"check.parse":                  "Reading the document",
		"check.context":                "JSON-LD contexts",
		"check.type":                   "Type",
		"check.schema":                 "Schema",
		"check.proof":                  "Signature",
		"check.issuer":                 "Issuer's key",
		"check.validity":               "Validity dates",
		"check.status":                 "Revocation and suspension",
		"check.catalogue":              "Catalogue",
		"status.pass":                  "passed",
		"status.warning":               "warning",
		"status.fail":                  "failed",
		"status.skipped":               "not run",
		"status.error":                 "could not be run",
		"check.reason":                 "Technical reason",
		"check.path":                   "Field",
		"explain.show":                 "Show the technical facts",
		"explain.intro":                "The facts below are those of “badgesmith verify --explain”: what this verifier read and computed, to compare with another.",
		"explain.format":               "Format",
		"explain.contexts":             "Contexts (never fetched)",
		"explain.inline":               "(inline context object): not bundled",
		"explain.notbundled":           "not bundled",
		"explain.matches":              "matches the embedded copy",
		"explain.differs":              "DOES NOT match the embedded copy",
		"explain.proof":                "Proof",
		"explain.noproof":              "none verified with the issuer's key",
		"explain.optionsHash":          "Proof options hash",
		"explain.documentHash":         "Document hash",
		"explain.inputHash":            "Signing input (header.payload) SHA-256",
		"explain.nquads":               "Canonical N-Quads of the signed statements",
		"explain.key":                  "Key",
		"explain.status":               "Status lists",
		"explain.fresh":                "fresh",
		"explain.stale":                "stale",
		"explain.differences":          "Known implementation differences that apply",
		"explain.nodifferences":        "No known difference applies.",
		"again":                        "Verify another badge",
	}
}
