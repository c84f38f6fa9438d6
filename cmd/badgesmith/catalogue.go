package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/badgesmith/badgesmith/catalogue"
	"github.com/badgesmith/badgesmith/internal/display"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/store"
	"github.com/badgesmith/badgesmith/verifier"
)

func newCatalogueCmd(s streams) *cobra.Command {
	o := &achievementOptions{}
	cmd := &cobra.Command{
		Use:   "catalogue",
		Short: "Set the catalogue's approver set and publish the approved achievements",
	}
	o.AddFlags(cmd.PersistentFlags())
	cmd.AddCommand(newCatalogueApproversCmd(s, o), newCataloguePublishCmd(s, o))
	return cmd
}

// approversFile is the approver set as an institution writes it: members
// name their public key as a Multikey (key) or, when it is in the local
// keyring, by name (keyName).
type approversFile struct {
	Institution string `json:"institution"`
	Members     []struct {
		Name    string   `json:"name"`
		Key     string   `json:"key"`
		KeyName string   `json:"keyName"`
		Roles   []string `json:"roles"`
	} `json:"members"`
	Rule             catalogue.Rule `json:"rule"`
	RequireCatalogue bool           `json:"requireCatalogue"`
}

func newCatalogueApproversCmd(s streams, o *achievementOptions) *cobra.Command {
	var root, file string
	cmd := &cobra.Command{
		Use:   "approvers --root-key NAME --file APPROVERS.json",
		Short: "Sign and record the approver set: members, roles, rule, catalogue required",
		Long: `Sign the approver set with the institution's root key and record it as the
set in force. The file names the institution, the members (name, roles, and
a public key: "key" as a Multikey, or "keyName" for a key of the local
keyring), the approval rule ("approvals": distinct approvers needed, default
2; "requiredRoles"; "allowSelfApproval") and "requireCatalogue": whether
issuing refuses achievements outside the catalogue. The first set pins the
root key: every later set must be signed by it.`,
		Example: `  badgesmith catalogue approvers --root-key institution --file approvers.json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if root == "" || file == "" {
				return &usageError{"--root-key and --file are required"}
			}
			ctx := cmd.Context()
			data, err := readInput(ctx, s, file, maxInputFile, defaultReadTimeout)
			if err != nil {
				return err
			}
			var af approversFile
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&af); err != nil {
				return fmt.Errorf("%s: %w: %w", file, errInvalid, err)
			}
			ring, err := keys.OpenRing(o.keyring)
			if err != nil {
				return err
			}
			rootKey, err := ring.Get(root)
			if err != nil {
				return err
			}
			p := catalogue.Policy{Institution: af.Institution, Rule: af.Rule, RequireCatalogue: af.RequireCatalogue, Issued: time.Now()}
			for i, m := range af.Members {
				key := m.Key
				if m.KeyName != "" {
					e, err := ring.Get(m.KeyName)
					if err != nil {
						return fmt.Errorf("%s: members[%d].keyName: %w", file, i, err)
					}
					if key, err = keys.EncodePublicMultikey(e.KeyPair.Public); err != nil {
						return err
					}
				}
				p.Members = append(p.Members, catalogue.Member{Name: m.Name, Key: key, Roles: m.Roles})
			}
			db, cat, err := o.open(true)
			if err != nil {
				return err
			}
			defer db.Close()
			p.Serial = 1
			if cur, err := cat.Approvers(ctx); err == nil {
				p.Serial = cur.Serial + 1
			}
			signed, err := catalogue.SignPolicy(p, rootKey.KeyPair.Private)
			if err != nil {
				return catalogueError(err)
			}
			got, err := cat.SetApprovers(ctx, signed)
			if err != nil {
				return catalogueError(err)
			}
			if o.json {
				return printJSON(s.out, got)
			}
			need := got.Rule.Approvals
			if need == 0 {
				need = 2
			}
			fmt.Fprintf(s.out, "approver set %d: %d members, %d approvals needed", got.Serial, len(got.Members), need)
			if len(got.Rule.RequiredRoles) > 0 {
				fmt.Fprintf(s.out, " (including %s)", strings.Join(got.Rule.RequiredRoles, ", "))
			}
			if got.RequireCatalogue {
				fmt.Fprint(s.out, "; the catalogue is required for issuing")
			}
			fmt.Fprintln(s.out)
			return nil
		},
	}
	cmd.Flags().StringVar(&root, "root-key", "", "keyring key of the institution's root key")
	cmd.Flags().StringVar(&file, "file", "", "approver set JSON file")
	return cmd
}

func newCataloguePublishCmd(s streams, o *achievementOptions) *cobra.Command {
	var key, out, baseURL, didWeb, name, profile string
	cmd := &cobra.Command{
		Use:   "publish --key NAME --base-url URL --out DIR",
		Short: "Publish the approved achievements, an index and the signed catalogue credential",
		Long: `Verify every version's signed decisions (a tampered record stops it), then
write to DIR: each approved achievement's public JSON document at its id's
URL path (so the achievement id in a credential resolves to it), index.json
and index.html (the approved microcredentials with their competencies,
credits, stacking targets and industry endorsements), and catalogue.json, a
credential signed by --key (eddsa-rdfc-2022) listing every version ever
approved with its digest, approval and retirement dates. Serve DIR at
--base-url; verifiers give catalogue.json to verify --catalogue.

The industry partners' endorsement credentials of the approved versions are
verified first, as verify does (each must endorse its achievement): an
invalid one stops the publication (exit 1, nothing written); one that could
not be checked is reported on standard error and published.`,
		Example: `  badgesmith catalogue publish --key registrar --base-url https://example.edu/ --out site/`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if key == "" || out == "" || baseURL == "" {
				return &usageError{"--key, --base-url and --out are required"}
			}
			return publishCatalogue(cmd.Context(), s, o, key, didWeb, profile, name, strings.TrimSuffix(baseURL, "/")+"/"+catalogue.CatalogueFile, out)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&key, "key", "", "keyring key of the issuer signing the catalogue: the issuer of the credentials it vouches for")
	fs.StringVar(&didWeb, "did-web", "", "sign as the did:web DID of this host[:port][/path], as issue does")
	fs.StringVar(&profile, "issuer-profile", "", "issuer Profile JSON file (its name is used)")
	fs.StringVar(&baseURL, "base-url", "", "URL DIR is served at; the catalogue credential's id is BASE/catalogue.json")
	fs.StringVar(&name, "name", "", "the catalogue's name (default: Approved achievements)")
	fs.StringVar(&out, "out", "", "output directory")
	return cmd
}

func publishCatalogue(ctx context.Context, s streams, o *achievementOptions, key, didWeb, profileFile, name, id, out string) error {
	signer, err := ringSigner(o.keyring, key, issuer.EddsaRdfc2022, didWeb)
	if err != nil {
		return err
	}
	profile := map[string]any{"name": key}
	if profileFile != "" {
		if profile, err = readObject(ctx, s, profileFile); err != nil {
			return err
		}
	}
	is, err := newIssuer(issuer.Config{Profile: profile, Signer: signer})
	if err != nil {
		return err
	}
	db, cat, err := o.open(false)
	if err != nil {
		return err
	}
	defer db.Close()
	pub, err := cat.Publish(ctx, catalogue.PublishOptions{Issuer: signer.Identity().ID, ID: id, Name: name})
	if err != nil {
		return catalogueError(err)
	}
	if err := checkPublishedEndorsements(ctx, s, cat); err != nil {
		return err
	}
	doc, err := pub.Catalogue.Credential()
	if err != nil {
		return err
	}
	signed, err := is.Sign(ctx, doc)
	if err != nil {
		return err
	}
	paths := make([]string, 0, len(pub.Files))
	for p := range pub.Files {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		if err := writeFileMkdir(filepath.Join(out, filepath.FromSlash(p)), pub.Files[p], false); err != nil {
			return err
		}
	}
	if err := writeFileMkdir(filepath.Join(out, catalogue.CatalogueFile), signed.JSON, false); err != nil {
		return err
	}
	if o.json {
		return printJSON(s.out, map[string]any{"catalogue": id, "issuer": signer.Identity().ID, "versions": len(pub.Catalogue.Entries), "files": append(paths, catalogue.CatalogueFile)})
	}
	fmt.Fprintf(s.out, "published %d approved versions (%d achievements) to %s\n", len(pub.Catalogue.Entries), len(paths)-2, shown(out))
	return nil
}

// checkPublishedEndorsements verifies the partners' endorsement credentials
// of every approved version, which the index publishes: an invalid one is
// an error, one that could not be checked a warning on standard error.
func checkPublishedEndorsements(ctx context.Context, s streams, cat *catalogue.Catalogue) error {
	latest, err := cat.List(ctx)
	if err != nil {
		return err
	}
	var ev *verifier.Verifier
	for _, l := range latest {
		vs, err := cat.Versions(ctx, l.AchievementID)
		if err != nil {
			return err
		}
		for _, v := range vs {
			if v.State != store.Approved || !hasEndorsement(v.QA) {
				continue
			}
			if ev == nil {
				if ev, err = newEndorsementVerifier(); err != nil {
					return err
				}
			}
			checks := checkEndorsements(ctx, ev, v.AchievementID, v.QA)
			what := fmt.Sprintf("achievement %s version %d", v.AchievementID, v.Version)
			if err := endorsementsError(what, checks); errors.Is(err, errInvalid) {
				return fmt.Errorf("publishing: %w", err)
			} else if err != nil {
				fmt.Fprintf(s.err, "badgesmith: warning: %s\n", display.Text(err.Error()))
			}
		}
	}
	return nil
}

func hasEndorsement(qa store.QA) bool {
	return slices.ContainsFunc(qa.Partners, func(p store.Partner) bool { return len(p.Endorsement) > 0 })
}
