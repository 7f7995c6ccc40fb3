// Size limits said before anything is sent (grants/bodylimits.py has the server's side).
//
// A form marked data-form-limits is checked when it is sent: a file input with data-max-bytes whose
// file is bigger, or a text box with data-max-chars holding more, stops the sending and gets the
// page's usual error pattern: the message beside the field (its data-too-large / data-too-long
// text, the same words the server uses) and an error summary above the form, focused. Nothing
// typed is touched. A chosen file is checked at once, too. Without this script the server says the
// same beside the field and keeps what was typed.

const MARK = "data-client-error";

function clear(form) {
  form.parentElement.querySelectorAll(`[${MARK}]`).forEach((node) => {
    if (node.matches(".govuk-form-group")) {
      node.classList.remove("govuk-form-group--error");
      node.removeAttribute(MARK);
    } else {
      node.remove();
    }
  });
}

function problemOf(field) {
  if (field.matches("input[type=file][data-max-bytes]")) {
    const limit = Number(field.dataset.maxBytes);
    const tooBig = Array.from(field.files || []).some((file) => file.size > limit);
    return tooBig ? field.dataset.tooLarge : null;
  }
  if (field.matches("textarea[data-max-chars]")) {
    return field.value.length > Number(field.dataset.maxChars) ? field.dataset.tooLong : null;
  }
  return null;
}

function showBeside(field, message) {
  const group = field.closest(".govuk-form-group");
  const error = document.createElement("p");
  error.className = "govuk-error-message";
  error.id = `${field.id}-client-error`;
  error.setAttribute(MARK, "");
  const hidden = document.createElement("span");
  hidden.className = "govuk-visually-hidden";
  hidden.textContent = "Error: ";
  error.append(hidden, message);
  const label = group.querySelector(".govuk-hint") || group.querySelector("label, legend");
  (label || field).after(error);
  if (!group.classList.contains("govuk-form-group--error")) {
    group.classList.add("govuk-form-group--error");
    group.setAttribute(MARK, "");
  }
  const described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  if (!described.includes(error.id)) {
    field.setAttribute("aria-describedby", [...described, error.id].join(" "));
  }
}

function linkTo(field, message) {
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.href = `#${field.id}`;
  link.textContent = message;
  item.append(link);
  return item;
}

function showSummary(form, problems) {
  // One summary on the page: the server's, when it sent one, gets these problems too.
  const existing = form.parentElement.querySelector(".govuk-error-summary:not([data-client-error])");
  if (existing) {
    const items = existing.querySelector(".govuk-error-summary__list");
    for (const [field, message] of problems) {
      const item = linkTo(field, message);
      item.setAttribute(MARK, "");
      items.prepend(item);
    }
    existing.tabIndex = -1;
    existing.focus();
    return;
  }
  const summary = document.createElement("div");
  summary.className = "govuk-error-summary";
  summary.setAttribute(MARK, "");
  summary.tabIndex = -1;
  const alert = document.createElement("div");
  alert.setAttribute("role", "alert");
  const title = document.createElement("h2");
  title.className = "govuk-error-summary__title";
  title.textContent = "There is a problem";
  const body = document.createElement("div");
  body.className = "govuk-error-summary__body";
  const list = document.createElement("ul");
  list.className = "govuk-list govuk-error-summary__list";
  for (const [field, message] of problems) {
    list.append(linkTo(field, message));
  }
  body.append(list);
  alert.append(title, body);
  summary.append(alert);
  form.parentElement.prepend(summary);
  summary.focus();
}

function check(form) {
  clear(form);
  const fields = form.querySelectorAll("input[type=file][data-max-bytes], textarea[data-max-chars]");
  const problems = [];
  fields.forEach((field) => {
    const message = problemOf(field);
    if (message) {
      problems.push([field, message]);
      showBeside(field, message);
    }
  });
  return problems;
}

export function checkLimits(form) {
  form.addEventListener("submit", (event) => {
    const problems = check(form);
    if (problems.length) {
      event.preventDefault();
      showSummary(form, problems);
    }
  });
  form.querySelectorAll("input[type=file][data-max-bytes]").forEach((input) => {
    input.addEventListener("change", () => {
      const problems = check(form);
      if (problems.length) {
        showSummary(form, problems);
      }
    });
  });
}
