// An uploaded election's page while the worker imports it: ask for the page again every two
// seconds and update its status region in place (role="status", so screen readers hear each
// change politely) and its progress bar, instead of reloading the page. Once the import is done or
// refused, the answer's <main> replaces this page's (the layout around it is the same; not the
// whole document, whose Content-Security-Policy nonce the answer's scripts would not carry), its
// GOV.UK components are started by `started` (passed in by the page), and focus moves to what it
// says: the error summary (which focuses itself) or the heading. If the page cannot be asked, the
// "Check again" link (all a browser without this script gets) is shown. Every word comes from the
// server's page, in its language.

const POLL_EVERY_MS = 2000;
const GIVE_UP_AFTER_FAILURES = 5;

export function follow(root, started) {
  const message = root.querySelector("[data-import-message]");
  const bar = root.querySelector("[data-import-bar]");
  const fallback = root.querySelector("[data-import-fallback]");
  let failures = 0;

  fallback.hidden = true;

  function finish(answer) {
    const main = document.adoptNode(answer.querySelector("main"));
    document.querySelector("main").replaceWith(main);
    document.title = answer.title;
    started(main);
    if (!main.querySelector(".govuk-error-summary")) {
      const heading = main.querySelector("h1");
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }

  async function poll() {
    let answer;
    try {
      const response = await fetch(window.location.href, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
        cache: "no-store",
      });
      if (!response.ok) {
        throw new Error(`status ${response.status}`);
      }
      answer = new DOMParser().parseFromString(await response.text(), "text/html");
    } catch (error) {
      failures += 1;
      if (failures >= GIVE_UP_AFTER_FAILURES) {
        fallback.hidden = false;
        return;
      }
      window.setTimeout(poll, POLL_EVERY_MS);
      return;
    }
    failures = 0;
    const next = answer.querySelector("[data-election-import]");
    if (!next) {
      finish(answer);
      return;
    }
    const text = next.querySelector("[data-import-message]").textContent;
    if (message.textContent !== text) {
      message.textContent = text;
    }
    const nextBar = next.querySelector("[data-import-bar]");
    bar.value = Number(nextBar.getAttribute("value"));
    bar.textContent = nextBar.textContent;
    window.setTimeout(poll, POLL_EVERY_MS);
  }

  window.setTimeout(poll, POLL_EVERY_MS);
}
