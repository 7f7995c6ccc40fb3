// Builds Commonpot's front-end assets into grants/static/build/ (not committed):
// the unbranded stylesheet compiled from assets-src/ (and its mirrored right-to-left copy), the GOV.UK Frontend ES module,
// and the GOV.UK Frontend images the components need (icons only; no crown, no fonts).
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";

const out = "grants/static/build";
const dist = "node_modules/govuk-frontend/dist/govuk";
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
execFileSync(
  "node_modules/.bin/sass",
  ["--no-source-map", "--style=compressed", "--quiet-deps", "--load-path=node_modules",
   "assets-src/commonpot.scss", `${out}/commonpot.css`],
  { stdio: "inherit" },
);
// The right-to-left stylesheet (Urdu): the same rules mirrored by rtlcss (left ↔ right in
// margins, padding, floats, borders, text-align and positions), chosen by <html dir="rtl">.
execFileSync("node_modules/.bin/rtlcss", [`${out}/commonpot.css`, `${out}/commonpot.rtl.css`], { stdio: "inherit" });
cpSync(`${dist}/govuk-frontend.min.js`, `${out}/govuk-frontend.min.js`);
cpSync(`${dist}/assets`, `${out}/assets`, { recursive: true });
console.log(`assets built in ${out}`);
