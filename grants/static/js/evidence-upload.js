// The evidence upload form: send the file so that the page can say how far the upload has got and
// then that the file is being checked and imported, in a status region (role="status", so screen
// readers hear it politely). A browser without this script posts the form as usual.
//
// The server answers the POST as it would without the script: the import's summary (after a
// redirect) or the form again with the problems listed by line. That answer replaces this page as
// a whole, scripts included, and the address bar shows its address. The page calls ``track`` from
// an inline module, so that a form shown again (with its problems) is tracked again: this module
// itself runs once per window.

export function track(form) {
  const message = document.querySelector("[data-upload-message]");
  const bar = document.querySelector("[data-upload-bar]");
  const fileInput = form.querySelector('input[type="file"]');
  const button = form.querySelector('[type="submit"]');

  function say(text) {
    if (message.textContent !== text) {
      message.textContent = text;
    }
  }

  function show(response, address) {
    window.history.replaceState(null, "", address || window.location.href);
    document.open();
    document.write(response);
    document.close();
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
    say("Uploading the file: 0%");

    const request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.upload.addEventListener("progress", (progress) => {
      if (progress.lengthComputable) {
        const percent = Math.floor((100 * progress.loaded) / progress.total);
        bar.value = percent;
        say(`Uploading the file: ${percent}%`);
      }
    });
    request.upload.addEventListener("load", () => {
      bar.value = 100;
      say("Uploaded. Checking every line, then importing the file (all of it or nothing).");
    });
    request.addEventListener("load", () => show(request.responseText, request.responseURL));
    request.addEventListener("error", () => {
      button.disabled = false;
      button.removeAttribute("aria-disabled");
      say("The file could not be sent: check your connection and try again. Nothing was imported.");
    });
    request.send(new FormData(form));
  });
}
