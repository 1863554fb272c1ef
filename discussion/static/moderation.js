// Keyboard shortcuts for the moderation queue, like Coral's and WordPress's:
// j/k move between comments, a approve, r reject (asking why first), s spam, x tick for a
// bulk action.
// Progressive enhancement only: every action is also a plain form button.
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll(".queue-item"));
  if (!items.length) return;
  var current = -1;

  function select(index, focus) {
    if (index < 0 || index >= items.length) return;
    if (current >= 0) {
      items[current].classList.remove("selected");
      items[current].removeAttribute("aria-current");
    }
    current = index;
    items[current].classList.add("selected");
    items[current].setAttribute("aria-current", "true");
    if (focus) {
      items[current].focus({ preventScroll: true });
      items[current].scrollIntoView({ block: "nearest" });
    }
  }

  function press(key) {
    var button = items[current].querySelector('.decision button[data-key="' + key + '"]');
    if (button) button.click();
  }

  /* r first asks why: the reason field gets the focus, Enter rejects, Escape goes back. */
  function askReason() {
    var item = items[current];
    var input = item.querySelector('.decision input[name="reason"]');
    var reject = item.querySelector('.decision button[data-key="r"]');
    if (!input || !reject) return;
    input.setAttribute("data-rejecting", "true");
    input.setAttribute("aria-describedby", hint(item).id);
    input.focus();
  }

  function hint(item) {
    var note = item.querySelector(".reject-hint");
    if (!note) {
      note = document.createElement("p");
      note.className = "reject-hint muted";
      note.id = "reject-hint-" + item.getAttribute("data-comment");
      note.setAttribute("role", "status");
      note.textContent = document.documentElement.lang === "en"
        ? "Why is it rejected? Enter rejects, Escape goes back."
        : "Varför avvisas den? Enter avvisar, Escape går tillbaka.";
      item.querySelector(".decision").after(note);
    }
    return note;
  }

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches('input[data-rejecting="true"]')) return;
    var item = input.closest(".queue-item");
    if (event.key === "Enter") {
      event.preventDefault();
      item.querySelector('.decision button[data-key="r"]').click();
    } else if (event.key === "Escape") {
      input.removeAttribute("data-rejecting");
      var note = item.querySelector(".reject-hint");
      if (note) note.remove();
      item.focus();
    }
  }, true);

  function typing(target) {
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var key = event.key;
    if (key === "j") select(Math.min(current + 1, items.length - 1), true);
    else if (key === "k") select(Math.max(current - 1, 0), true);
    else if (current < 0) return;
    else if (key === "r") askReason();
    else if (key === "a" || key === "s") press(key);
    else if (key === "x") {
      var box = items[current].querySelector('input[type="checkbox"]');
      box.checked = !box.checked;
    } else return;
    event.preventDefault();
  });

  items.forEach(function (item, index) {
    item.addEventListener("click", function () { select(index, false); });
  });
  select(0, false);
})();
