package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/badgesmith/badgesmith/bake"
	"github.com/badgesmith/badgesmith/internal/display"
)

// maxImageFile bounds the images bake and extract read.
const maxImageFile = bake.DefaultMaxImageSize

// inputError marks an error about the content of an input (a malformed or
// unbaked image, a credential that is not one): exit 1, not 2.
type inputError struct{ err error }

func (e *inputError) Error() string   { return e.err.Error() }
func (e *inputError) Unwrap() []error { return []error{errInvalid, e.err} }

// classifyBake marks the bake package's verdicts on the input as invalid
// input and leaves anything else (I/O) alone.
func classifyBake(err error) error {
	for _, target := range []error{bake.ErrNotBaked, bake.ErrMalformedImage, bake.ErrTooLarge, bake.ErrInvalidCredential, errTooLarge} {
		if errors.Is(err, target) {
			return &inputError{err}
		}
	}
	return err
}

type bakeOptions struct {
	image          string
	credential     string
	out            string
	followSymlinks bool
}

func (o *bakeOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.image, "image", "", "PNG or SVG badge image to bake into (- for standard input)")
	fs.StringVar(&o.credential, "credential", "", "credential to bake: a JSON file with an embedded proof or a compact JWS (- for standard input)")
	fs.StringVar(&o.out, "out", "", "where to write the baked image (- for standard output)")
	addFollowSymlinksFlag(fs, &o.followSymlinks)
}

func newBakeCmd(s streams) *cobra.Command {
	o := &bakeOptions{}
	cmd := &cobra.Command{
		Use:   "bake --image IMAGE --credential CREDENTIAL --out FILE",
		Short: "Embed a credential in a PNG or SVG badge image",
		Long: `Bake a credential into a badge image, as Open Badges 3.0 §5.3 defines it.
The image format is read from its content, not its name. A PNG gets an
iTXt chunk with the keyword openbadgecredential; an SVG gets an
<openbadges:credential> element right after its root start tag. A credential
already baked into the image is replaced. The credential is not verified:
run badgesmith verify on the result.

Exit status: 0 baked, 1 the image or the credential is malformed,
2 the command was misused or a file could not be read or written.`,
		Example: `  badgesmith bake --image badge.png --credential cred.json --out baked.png
  badgesmith bake --image badge.svg --credential cred.jwt --out baked.svg
  badgesmith issue --key registrar --achievement a.json --subject s.json --out - |
    badgesmith bake --image badge.png --credential - --out baked.png`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), s)
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func (o *bakeOptions) run(ctx context.Context, s streams) error {
	switch {
	case o.image == "":
		return &usageError{"--image is required"}
	case o.credential == "":
		return &usageError{"--credential is required"}
	case o.out == "":
		return &usageError{"--out is required"}
	case o.image == "-" && o.credential == "-":
		return &usageError{"--image and --credential cannot both read standard input"}
	}
	img, err := readInput(ctx, s, o.image, maxImageFile, defaultReadTimeout)
	if err != nil {
		return classifyBake(err)
	}
	cred, err := readInput(ctx, s, o.credential, maxInputFile, defaultReadTimeout)
	if err != nil {
		return classifyBake(err)
	}
	baked, format, err := bake.Bake(img, cred)
	if err != nil {
		var name string
		if errors.Is(err, bake.ErrInvalidCredential) {
			name = o.credential
		} else {
			name = o.image
		}
		return classifyBake(fmt.Errorf("%s: %w", name, err))
	}
	if o.out == "-" {
		_, err = s.out.Write(baked)
		return err
	}
	if err := writeFile(o.out, baked, o.followSymlinks); err != nil {
		return err
	}
	fmt.Fprintf(s.err, "baked %s into %s (%s, %d bytes)\n", bake.Detect(cred), shown(o.out), format, len(baked))
	return nil
}

type extractOptions struct {
	out            string
	followSymlinks bool
}

func (o *extractOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.out, "out", "", "write the credential to this file instead of standard output")
	addFollowSymlinksFlag(fs, &o.followSymlinks)
}

func newExtractCmd(s streams) *cobra.Command {
	o := &extractOptions{}
	cmd := &cobra.Command{
		Use:   "extract IMAGE",
		Short: "Print the credential baked into a PNG or SVG badge image",
		Long: `Extract the credential baked into a PNG or SVG badge image (use - for
standard input): the JSON credential or compact JWS, exactly as baked. The
credential is not verified; badgesmith verify reads baked images directly.

Exit status: 0 extracted, 1 the image is malformed or carries no
credential, 2 the command was misused or a file could not be read or written.`,
		Example: `  badgesmith extract baked.png
  badgesmith extract baked.svg --out cred.json
  curl -s https://example.edu/badges/42.png | badgesmith extract -`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), s, args[0])
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func (o *extractOptions) run(ctx context.Context, s streams, name string) error {
	img, err := readInput(ctx, s, name, maxImageFile, defaultReadTimeout)
	if err != nil {
		return classifyBake(err)
	}
	cred, format, err := bake.Extract(img)
	if err != nil {
		return classifyBake(fmt.Errorf("%s: %w", name, err))
	}
	if o.out == "" || o.out == "-" {
		if cred[len(cred)-1] != '\n' {
			cred = append(cred, '\n')
		}
		// The bytes are exact for a pipe or a file; a terminal gets them
		// with control characters escaped, so a crafted image cannot drive it.
		if isTerminal(s.out) {
			cred = []byte(display.Text(string(cred)))
		}
		_, err = s.out.Write(cred)
		return err
	}
	if err := writeFile(o.out, cred, o.followSymlinks); err != nil {
		return err
	}
	fmt.Fprintf(s.err, "extracted the %s credential from %s (%s) to %s\n", bake.Detect(cred), shown(name), format, shown(o.out))
	return nil
}
