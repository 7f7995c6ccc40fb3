// The proposal pack page while a build runs: ask the server how far it has got every two seconds
// and update the page's status region in place (role="status", so screen readers hear each change
// politely), instead of reloading the page. When the pack is ready the download button appears;
// if the build stops any other way, or the server cannot be asked, the "Check again" link (which
// is all a browser without this script gets) is shown to reload the page. The words the script
// writes come from the page (data-text-* attributes, in the page's language); the messages from
// the server's JSON are in it already.

const POLL_EVERY_MS = 2000;
const GIVE_UP_AFTER_FAILURES = 5;

// The same markup as the page's own download button (govukButton with an href).
function downloadButton(href, text) {
  const button = document.createElement("a");
  button.href = href;
  button.className = "govuk-button";
  button.setAttribute("role", "button");
  button.setAttribute("draggable", "false");
  button.dataset.module = "govuk-button";
  button.textContent = text;
  return button;
}

function follow(root) {
  const heading = root.querySelector("[data-pack-heading]");
  const message = root.querySelector("[data-pack-message]");
  const bar = root.querySelector("[data-pack-bar]");
  const download = root.querySelector("[data-pack-download]");
  const fallback = root.querySelector("[data-pack-fallback]");
  const url = root.dataset.statusUrl;
  const words = {
    download: root.dataset.textDownload || "Download the proposal pack (PDF)",
    ready: root.dataset.textReady || "The pack is ready",
    unreachable: root.dataset.textUnreachable || "Commonpot could not be asked how far the pack has got.",
  };
  let failures = 0;

  fallback.hidden = true;

  function say(text) {
    if (message.textContent !== text) {
      message.textContent = text;
    }
  }

  function stop(text) {
    say(text);
    fallback.hidden = false;
  }

  async function poll() {
    let status;
    try {
      const response = await fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        cache: "no-store",
      });
      if (!response.ok || !(response.headers.get("Content-Type") || "").includes("application/json")) {
        throw new Error(`status ${response.status}`);
      }
      status = await response.json();
    } catch (error) {
      failures += 1;
      if (failures >= GIVE_UP_AFTER_FAILURES) {
        stop(words.unreachable);
        return;
      }
      window.setTimeout(poll, POLL_EVERY_MS);
      return;
    }
    failures = 0;
    bar.value = status.progress;
    bar.textContent = `${status.progress}%`;
    if (status.under_way) {
      say(status.message);
      window.setTimeout(poll, POLL_EVERY_MS);
    } else if (status.ready) {
      heading.textContent = words.ready;
      bar.hidden = true;
      say(status.message);
      download.replaceChildren(downloadButton(status.download_url, words.download));
    } else {
      bar.hidden = true;
      stop(status.message);
    }
  }

  window.setTimeout(poll, POLL_EVERY_MS);
}

for (const root of document.querySelectorAll("[data-pack-build][data-status-url]")) {
  follow(root);
}
