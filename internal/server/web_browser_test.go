package server

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// updateScreenshots rewrites the README's screenshots (testdata/web) from
// the browser test: go test ./internal/server/ -run TestWebBrowser -update-web.
var updateScreenshots = flag.Bool("update-web", false, "rewrite testdata/web/*.png, the README's screenshots of the verification page")

// webScreenshotDir is where every run writes its screenshots; nothing
// reads them.
func webScreenshotDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(os.TempDir(), "badgesmith-web-screenshots")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	return dir
}

// startBrowser starts Debian's headless chromium with the flags it needs
// as root in CI and on a closed network, and returns a context for its
// first tab. Without chromium the test is skipped on a developer's
// machine and fails in CI (CI=true), where .ci/run installs it.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed; CI must install it (apt-get install chromium, see .ci/run)")
		}
		t.Skip("SKIPPED: chromium is not installed (apt-get install chromium); the browser tests need it and run in CI")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		// The machine's network is closed: Chromium's own background
		// connections would only be refused.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(900, 1100),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	// A hang guard only: nothing asserts on time.
	tctx, cancelTimeout := context.WithTimeout(actx, 4*time.Minute)
	ctx, cancelCtx := chromedp.NewContext(tctx)
	t.Cleanup(func() { cancelCtx(); cancelTimeout(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx
}

// a11yScript is the page's automated accessibility check, run in the
// browser (axe-core is not installed here; these are its rules that
// matter for this page): the document language, one h1 and no skipped
// heading level, an accessible name for every form control, button and
// link, alt text on every image, unique ids, a verdict with role status
// or alert and screen-reader text, and a WCAG contrast ratio of at least
// 4.5:1 for the text of every element, computed from the colours the
// browser applied (the background walked up to the first opaque one).
const a11yScript = `(() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push("html has no lang");
  const hs = [...document.querySelectorAll("h1,h2,h3,h4,h5,h6")];
  if (document.querySelectorAll("h1").length !== 1) problems.push("want one h1");
  let prev = 0;
  for (const h of hs) { const l = +h.tagName[1]; if (l > prev + 1) problems.push("heading skips to " + h.tagName + ": " + h.textContent); prev = l; }
  for (const c of document.querySelectorAll("input:not([type=hidden]),textarea,select")) {
    const named = (c.id && document.querySelector("label[for='" + c.id + "']")) || c.getAttribute("aria-label") || c.getAttribute("aria-labelledby");
    if (!named) problems.push("control without a label: " + (c.id || c.name));
  }
  for (const b of document.querySelectorAll("button,a")) if (!b.textContent.trim() && !b.getAttribute("aria-label")) problems.push("unnamed " + b.tagName);
  for (const i of document.querySelectorAll("img")) if (!i.getAttribute("alt")) problems.push("image without alt");
  const ids = {};
  for (const e of document.querySelectorAll("[id]")) { if (ids[e.id]) problems.push("duplicate id " + e.id); ids[e.id] = true; }
  const v = document.getElementById("verdict");
  if (v) {
    const role = v.getAttribute("role");
    if (role !== "status" && role !== "alert") problems.push("verdict role " + role);
    if (!v.querySelector(".sr-only") || !v.querySelector(".sr-only").textContent.trim()) problems.push("verdict without screen-reader text");
  }
  const rgb = s => { const m = s.match(/[\d.]+/g).map(Number); return { r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1 }; };
  const lum = c => { const f = x => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const bg = e => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.a > 0.99) return c; } return { r: 255, g: 255, b: 255, a: 1 }; };
  let checked = 0;
  for (const e of document.querySelectorAll("body *")) {
    const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || e.closest(".sr-only,.skip") || !e.getClientRects().length) continue;
    const fg = rgb(getComputedStyle(e).color), b = bg(e);
    const L1 = lum(fg), L2 = lum(b);
    const ratio = (Math.max(L1, L2) + 0.05) / (Math.min(L1, L2) + 0.05);
    checked++;
    if (ratio < 4.5) problems.push("contrast " + ratio.toFixed(2) + " of " + e.tagName + "." + e.className + ": " + e.textContent.trim().slice(0, 40));
  }
  if (checked < 5) problems.push("only " + checked + " elements checked for contrast");
  return problems;
})()`

// run runs a and returns its value, failing the test on an error.
func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// checkA11y runs a11yScript on the page in ctx.
func checkA11y(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](a11yScript))
	if err != nil {
		t.Fatalf("%s: accessibility check: %v", what, err)
	}
	for _, p := range problems {
		t.Errorf("%s: accessibility: %s", what, p)
	}
}

// hostileScript reports what a hostile credential could have done to
// the page: a changed title, scripts or handlers, javascript: links,
// images but raster data: URLs, and whether anything covers the verdict
// banner at its centre.
const hostileScript = `(() => {
  const out = [];
  if (document.title.includes("pwned")) out.push("title changed");
  if (document.scripts.length !== 1 || !document.scripts[0].src.endsWith("/verify/static/verify.js")) out.push(document.scripts.length + " scripts");
  for (const e of document.querySelectorAll("*")) for (const a of e.attributes) {
    if (a.name.startsWith("on") || a.name === "style") out.push(e.tagName + " has " + a.name);
    if (/^\s*javascript:/i.test(a.value)) out.push(e.tagName + " " + a.name + " is javascript:");
  }
  for (const i of document.images) if (!/^data:image\/(png|jpeg|gif|webp);base64,/.test(i.getAttribute("src"))) out.push("image " + i.src.slice(0, 40));
  if (document.querySelector("#ach-name b, #ach-description img, #ach-criteria a[href^='javascript']")) out.push("credential markup rendered");
  const v = document.getElementById("verdict"), r = v.getBoundingClientRect();
  const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  if (!v.contains(top)) out.push("verdict covered by " + (top && top.tagName));
  return out;
})()`

func TestWebBrowser(t *testing.T) {
	ctx := startBrowser(t)
	ts := webServer(t)
	dir := t.TempDir()
	shots := webScreenshotDir(t)
	en, fr := webMessages("en"), webMessages("fr")
	fixtures := webFixtures(t, ts)
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			file := filepath.Join(dir, fx.file)
			if err := os.WriteFile(file, fx.data, 0o600); err != nil {
				t.Fatal(err)
			}
			tab, cancel := chromedp.NewContext(ctx)
			defer cancel()
			if err := chromedp.Do(tab,
				chromedp.Navigate(ts.url+"/verify?lang=en"),
				chromedp.WaitVisible(chromedp.ID("file")),
				chromedp.SetUploadFiles(chromedp.ID("file"), []string{file}),
				chromedp.Click(chromedp.ID("submit")),
				chromedp.WaitVisible(chromedp.ID("verdict")),
			); err != nil {
				t.Fatal(err)
			}
			verdict := run(t, tab, chromedp.AttributeValue(chromedp.ID("verdict"), "data-verdict")).Value
			headline := run(t, tab, chromedp.Text(chromedp.ID("verdict-headline")))
			text := run(t, tab, chromedp.TextContent(chromedp.CSS("main")))
			png := run(t, tab, chromedp.FullScreenshot(100))
			if err := os.WriteFile(filepath.Join(shots, strings.ReplaceAll(fx.name, " ", "-")+".png"), png, 0o600); err != nil {
				t.Fatal(err)
			}
			if verdict != fx.verdict {
				t.Errorf("verdict %q, want %q", verdict, fx.verdict)
			}
			if !strings.Contains(headline, en[fx.headline]) {
				t.Errorf("headline %q, want %q", headline, en[fx.headline])
			}
			text = strings.Join(strings.Fields(text), " ")
			for _, f := range fx.facts {
				if !strings.Contains(text, f) {
					t.Errorf("fact %q not shown", f)
				}
			}
			for _, p := range run(t, tab, chromedp.Evaluate[[]string](hostileScript)) {
				t.Errorf("page: %s", p)
			}
			checkA11y(t, tab, fx.name)
			switch fx.name {
			case "hostile":
				name := run(t, tab, chromedp.TextContent(chromedp.ID("ach-name")))
				if want := `<script>document.title="pwned"</script>Hostile <b>Badge</b>`; name != want {
					t.Errorf("name shown as %q, want the text %q", name, want)
				}
			case "hashed recipient":
				// The sha256$ hash is checked in the browser: the right
				// address matches, another does not.
				for _, tc := range []struct {
					email, want string
				}{{webTestEmail, "true"}, {"other@example.edu", "false"}} {
					run(t, tab, chromedp.Steps(
						chromedp.Evaluate[chromedp.Void](`document.getElementById("email-result").removeAttribute("data-match"); document.getElementById("email").value = ""`, chromedp.EvalIgnoreExceptions),
						chromedp.SendKeys(chromedp.ID("email"), tc.email),
						chromedp.Click(chromedp.ID("email-submit")),
						chromedp.WaitVisible(chromedp.CSS("#email-result[data-match]")),
					))
					if got := run(t, tab, chromedp.AttributeValue(chromedp.ID("email-result"), "data-match")).Value; got != tc.want {
						t.Errorf("email %s: match %s, want %s", tc.email, got, tc.want)
					}
				}
			case "image":
				if w := run(t, tab, chromedp.Evaluate[int](`document.querySelector("img.badge-image").naturalWidth`)); w != 16 {
					t.Errorf("badge image width %d, want 16", w)
				}
			case "valid", "revoked":
				if *updateScreenshots {
					run(t, tab, chromedp.EmulateViewport(760, 900))
					small := run(t, tab, chromedp.CaptureScreenshot())
					out := filepath.Join("..", "..", "testdata", "web", "verify-"+fx.name+".png")
					if err := os.MkdirAll(filepath.Dir(out), 0o750); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(out, small, 0o600); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
	}

	t.Run("keyboard only", func(t *testing.T) {
		tab, cancel := chromedp.NewContext(ctx)
		defer cancel()
		valid := string(fixtures[0].data)
		active := func(want string) chromedp.Action[chromedp.Void] {
			return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
				id, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id || document.activeElement.className`))
				if err != nil {
					return err
				}
				if id != want {
					t.Errorf("focus on %q, want %q", id, want)
				}
				return nil
			})
		}
		err := chromedp.Do(tab,
			chromedp.Navigate(ts.url+"/verify?lang=en"),
			chromedp.WaitVisible(chromedp.ID("verify-form")),
			chromedp.KeyEvent("\t"), active("skip"),
			chromedp.KeyEvent("\t"), active("lang-switch"),
			chromedp.KeyEvent("\t"), active("credential"),
			// Pasting: the text arrives as one input, as from the clipboard.
			chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
				_, err := chromedp.Call(ctx, input.InsertText, input.InsertTextParams{Text: valid})
				return err
			}),
			chromedp.KeyEvent("\t"), active("file"),
			chromedp.KeyEvent("\t"), active("submit"),
			chromedp.KeyEvent("\r"),
			chromedp.WaitVisible(chromedp.ID("verdict")),
			active("verdict"),
		)
		if err != nil {
			t.Fatal(err)
		}
		if v := run(t, tab, chromedp.AttributeValue(chromedp.ID("verdict"), "data-verdict")).Value; v != "valid" {
			t.Errorf("verdict %q after keyboard submit", v)
		}
	})

	t.Run("french", func(t *testing.T) {
		tab, cancel := chromedp.NewContext(ctx)
		defer cancel()
		file := filepath.Join(dir, "revoked-fr.json")
		var revoked webFixture
		for _, fx := range fixtures {
			if fx.name == "revoked" {
				revoked = fx
			}
		}
		if err := os.WriteFile(file, revoked.data, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(tab, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: "Mozilla/5.0 badgesmith-test", AcceptLanguage: "fr-CA,fr;q=0.9"}); err != nil {
			t.Fatal(err)
		}
		run(t, tab, chromedp.Steps(chromedp.Navigate(ts.url+"/verify"), chromedp.WaitVisible(chromedp.ID("verify-form"))))
		lang := run(t, tab, chromedp.Evaluate[string](`document.documentElement.lang`))
		title := run(t, tab, chromedp.Text(chromedp.CSS("h1")))
		switchText := run(t, tab, chromedp.Text(chromedp.ID("lang-switch")))
		checkA11y(t, tab, "french form")
		run(t, tab, chromedp.Steps(
			chromedp.SetUploadFiles(chromedp.ID("file"), []string{file}),
			chromedp.Click(chromedp.ID("submit")),
			chromedp.WaitVisible(chromedp.ID("verdict")),
		))
		headline := run(t, tab, chromedp.Text(chromedp.ID("verdict-headline")))
		png := run(t, tab, chromedp.FullScreenshot(100))
		checkA11y(t, tab, "french result")
		// The switch leads back to English.
		run(t, tab, chromedp.Steps(chromedp.Click(chromedp.ID("lang-switch")), chromedp.WaitVisible(chromedp.ID("verify-form"))))
		lang2 := run(t, tab, chromedp.Evaluate[string](`document.documentElement.lang`))
		_ = os.WriteFile(filepath.Join(shots, "revoked-fr.png"), png, 0o600)
		if lang != "fr" || title != fr["title"] || switchText != fr["lang.switch"] {
			t.Errorf("french form: lang %q, h1 %q, switch %q", lang, title, switchText)
		}
		if !strings.Contains(headline, fr["invalid.status"]) {
			t.Errorf("french verdict %q, want %q", headline, fr["invalid.status"])
		}
		if lang2 != "en" {
			t.Errorf("after the switch: lang %q", lang2)
		}
	})

	// On a phone's width the result page does not scroll sideways: long
	// identifiers and N-Quads wrap or scroll inside their own box.
	t.Run("phone width", func(t *testing.T) {
		file := filepath.Join(dir, "phone.json")
		if err := os.WriteFile(file, fixtures[0].data, 0o600); err != nil {
			t.Fatal(err)
		}
		tab, cancel := chromedp.NewContext(ctx)
		defer cancel()
		run(t, tab, chromedp.Steps(
			chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile),
			chromedp.Navigate(ts.url+"/verify?lang=fr"),
			chromedp.SetUploadFiles(chromedp.ID("file"), []string{file}),
			chromedp.Click(chromedp.ID("submit")),
			chromedp.WaitVisible(chromedp.ID("verdict")),
		))
		over := run(t, tab, chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
		if over > 0 {
			t.Errorf("the page is %d px wider than a 360 px screen", over)
		}
		checkA11y(t, tab, "phone")
	})

	t.Run("form accessibility", func(t *testing.T) {
		tab, cancel := chromedp.NewContext(ctx)
		defer cancel()
		run(t, tab, chromedp.Steps(chromedp.Navigate(ts.url+"/verify?lang=en"), chromedp.WaitVisible(chromedp.ID("verify-form"))))
		checkA11y(t, tab, "form")
	})

	// The page checks above must be able to fail: on a page spoiled on
	// purpose (an unlabelled field, grey on grey, an inline handler, a
	// javascript: link, an SVG image, a box over the banner) each reports.
	t.Run("checks can fail", func(t *testing.T) {
		file := filepath.Join(dir, "spoiled.json")
		if err := os.WriteFile(file, fixtures[0].data, 0o600); err != nil {
			t.Fatal(err)
		}
		tab, cancel := chromedp.NewContext(ctx)
		defer cancel()
		run(t, tab, chromedp.Steps(
			chromedp.Navigate(ts.url+"/verify?lang=en"),
			chromedp.SetUploadFiles(chromedp.ID("file"), []string{file}),
			chromedp.Click(chromedp.ID("submit")),
			chromedp.WaitVisible(chromedp.ID("verdict")),
		))
		_ = run(t, tab, chromedp.Evaluate[bool](`(() => {
  const m = document.querySelector("main");
  m.insertAdjacentHTML("beforeend", '<input id="spoil"><p id="grey">grey on grey</p><a href="javascript:void 0" onclick="1">x</a><img src="/x.svg" alt="x">');
  // Through the CSSOM: the CSP refuses style attributes, so this is the
  // only way a test (not a credential: it has no script) can restyle.
  Object.assign(document.getElementById("grey").style, { color: "#999", background: "#aaa" });
  const v = document.getElementById("verdict").getBoundingClientRect(), d = document.createElement("div");
  d.textContent = "over";
  Object.assign(d.style, { position: "fixed", zIndex: 5, background: "#fff", color: "#000", left: v.left + "px", top: v.top + "px", width: v.width + "px", height: v.height + "px" });
  document.body.appendChild(d);
  return true;
})()`))
		a11y := strings.Join(run(t, tab, chromedp.Evaluate[[]string](a11yScript)), "\n")
		hostile := strings.Join(run(t, tab, chromedp.Evaluate[[]string](hostileScript)), "\n")
		for _, want := range []string{"control without a label: spoil", "contrast"} {
			if !strings.Contains(a11y, want) {
				t.Errorf("accessibility check missed %q: %s", want, a11y)
			}
		}
		for _, want := range []string{"has onclick", "is javascript:", "image ", "verdict covered by DIV"} {
			if !strings.Contains(hostile, want) {
				t.Errorf("page check missed %q: %s", want, hostile)
			}
		}
	})
}
