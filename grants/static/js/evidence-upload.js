// The evidence upload form: send the file so that the page can say how far the upload has got and
// then that the file is being checked and imported, in a status region (role="status", so screen
// readers hear it politely). A browser without this script posts the form as usual.
//
// The server answers the POST as it would without the script: the import's summary (after a
// redirect) or the form again with the problems listed by line. That answer's <main> replaces this
// page's (the layout around it is the same), and the address bar shows its address. Not the whole
// document: a document written over keeps this page's Content-Security-Policy, whose nonce the
// answer's scripts do not carry, so they would be blocked. Instead the new <main> gets the GOV.UK
// components started (``initAll``, passed in by the page) and a form shown again is tracked again.

export function track(form, initAll) {
  const message = document.querySelector("[data-upload-message]");
  const bar = document.querySelector("[data-upload-bar]");
  const fileInput = form.querySelector('input[type="file"]');
  const button = form.querySelector('[type="submit"]');

  // The words come from the page (data-uploading, data-uploaded, data-failed), in its language.
  const words = {
    uploading: message.dataset.uploading || "Uploading the file: {percent}%",
    uploaded: message.dataset.uploaded || "Uploaded. Checking every line, then importing the file (all of it or nothing).",
    failed: message.dataset.failed || "The file could not be sent: check your connection and try again. Nothing was imported.",
  };
  const uploading = (percent) => words.uploading.replace("{percent}", String(percent));

  function say(text) {
    if (message.textContent !== text) {
      message.textContent = text;
    }
  }

  function show(response, address) {
    const answer = new DOMParser().parseFromString(response, "text/html");
    const main = document.adoptNode(answer.querySelector("main"));
    document.querySelector("main").replaceWith(main);
    document.title = answer.title;
    window.history.replaceState(null, "", address || window.location.href);
    initAll({ scope: main });
    const again = main.querySelector("[data-evidence-upload]");
    if (again) {
      track(again, initAll);
    }
  }

  form.addEventListener("submit", (event) => {
    // No file chosen: let the server say so beside the field, as without the script.
    if (!fileInput || fileInput.files.length === 0) {
      return;
    }
    event.preventDefault();
    button.disabled = true;
    button.setAttribute("aria-disabled", "true");
    bar.hidden = false;
    bar.value = 0;
    say(uploading(0));

    const request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.upload.addEventListener("progress", (progress) => {
      if (progress.lengthComputable) {
        const percent = Math.floor((100 * progress.loaded) / progress.total);
        bar.value = percent;
        say(uploading(percent));
      }
    });
    request.upload.addEventListener("load", () => {
      bar.value = 100;
      say(words.uploaded);
    });
    request.addEventListener("load", () => show(request.responseText, request.responseURL));
    request.addEventListener("error", () => {
      button.disabled = false;
      button.removeAttribute("aria-disabled");
      say(words.failed);
    });
    request.send(new FormData(form));
  });
}
