/* Samtal's reader pages, a little quicker: reply forms open in place, likes and previews without
   a reload, "Visa fler" loads in place, and times say "för 5 minuter sedan". Every one of these
   also works without JavaScript (links and forms that reload the page); this file only saves
   the reload. No framework, nothing from anywhere else. */
(function () {
  "use strict";
  var LANG = (document.documentElement.lang || "sv").slice(0, 2);
  var T = LANG === "en"
    ? { cancel: "Cancel", liked: "You like this", failed: "Could not send. Try again.", preview: "This is how the comment will look:", now: "just now" }
    : { cancel: "Avbryt", liked: "Du gillar det här", failed: "Det gick inte att skicka. Försök igen.", preview: "Så här kommer kommentaren att se ut:", now: "nyss" };

  function csrf() {
    var input = document.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }

  function api(path, body) {
    return fetch("/api/v1" + path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    });
  }

  /* Times: the exact local time stays as the title, the text becomes relative. */
  var relative = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(LANG, { numeric: "auto" }) : null;
  var STEPS = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];
  function when(element) {
    if (!relative) return;
    var seconds = (new Date(element.getAttribute("datetime")) - Date.now()) / 1000;
    if (Math.abs(seconds) < 60) { element.textContent = T.now; return; }
    for (var i = 0; i < STEPS.length; i++) {
      if (Math.abs(seconds) >= STEPS[i][1]) {
        element.textContent = relative.format(Math.round(seconds / STEPS[i][1]), STEPS[i][0]);
        return;
      }
    }
  }
  function times(root) { root.querySelectorAll("time[data-when]").forEach(when); }

  /* Replies: the page's one reply form, put under the comment answered. */
  function openReply(link) {
    var item = link.closest("li.comment");
    var thread = link.closest("section.thread");
    var open = item.querySelector(":scope > .reply");
    if (open) { open.querySelector("textarea").focus(); return; }
    var copy = document.getElementById("svar-mall").content.firstElementChild.cloneNode(true);
    var form = copy.querySelector("form");
    var id = "svar-" + item.getAttribute("data-comment");
    form.action = thread.getAttribute("data-action");
    form.querySelector('input[name="parent_id"]').value = item.getAttribute("data-comment");
    copy.id = id;
    copy.querySelectorAll("[id]").forEach(function (element) {
      var old = element.id, fresh = id + "-" + old.split("-").pop();
      var label = copy.querySelector('label[for="' + old + '"]');
      if (label) label.setAttribute("for", fresh);
      element.id = fresh;
    });
    copy.querySelectorAll("[aria-describedby]").forEach(function (element) {
      element.setAttribute("aria-describedby", id + "-help");
    });
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "secondary";
    cancel.textContent = T.cancel;
    function close() { copy.remove(); link.focus(); }
    cancel.addEventListener("click", close);
    copy.addEventListener("keydown", function (event) { if (event.key === "Escape") close(); });
    form.querySelector(".buttons").appendChild(cancel);
    link.closest(".actions").after(copy);
    link.setAttribute("aria-expanded", "true");
    form.querySelector("textarea").focus();
  }

  /* Likes: the button says whether you like it, the count follows. */
  function like(button) {
    var id = button.getAttribute("data-like");
    button.disabled = true;
    api("/comments/" + id + "/likes").then(function (answer) {
      if (answer.status !== 200) throw new Error(answer.status);
      button.setAttribute("aria-pressed", answer.data.liked ? "true" : "false");
      button.querySelector(".like-count").textContent = answer.data.likes;
    }).catch(function () {
      button.closest("form").submit();
    }).then(function () { button.disabled = false; });
  }

  /* Preview: the same sanitiser that will store the comment renders it here. */
  function preview(button) {
    var form = button.closest("form");
    var box = form.querySelector(".preview");
    if (!box) {
      box = document.createElement("div");
      box.className = "preview";
      box.setAttribute("role", "region");
      box.setAttribute("aria-live", "polite");
      form.querySelector("textarea").closest("p").after(box);
    }
    api("/preview", { body: form.querySelector("textarea").value }).then(function (answer) {
      if (answer.status !== 200) throw new Error(answer.status);
      var note = document.createElement("p");
      note.className = "muted";
      note.textContent = T.preview;
      var text = document.createElement("div");
      text.className = "text";
      text.dir = "auto";
      text.innerHTML = answer.data.html; // the server's sanitised HTML
      box.replaceChildren(note, text);
    }).catch(function () { form.requestSubmit(button); });
  }

  /* "Visa fler": the next top-level comments of the thread, added in place. */
  function more(link) {
    var list = link.closest("section.thread").querySelector("ol.comments");
    var first = list.children.length;
    fetch(link.getAttribute("data-more"), { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.text();
    }).then(function (html) {
      var holder = document.createElement("template");
      holder.innerHTML = html;
      var marker = holder.content.querySelector(".more-marker");
      if (marker) {
        link.setAttribute("data-more", marker.getAttribute("data-more"));
        link.href = link.href.replace(/sida=\d+/, "sida=" + (parseInt(/sida=(\d+)/.exec(link.href)[1], 10) + 1));
        marker.remove();
      } else {
        link.closest("p.more").remove();
      }
      times(holder.content);
      list.appendChild(holder.content);
      var next = list.children[first];
      if (next) next.focus();
    }).catch(function () { window.location.href = link.href; });
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-reply], [data-like], [data-more], button[name=forhandsgranska]");
    if (!target || event.defaultPrevented || event.button !== 0) return;
    event.preventDefault();
    if (target.hasAttribute("data-reply")) openReply(target);
    else if (target.hasAttribute("data-like")) like(target);
    else if (target.hasAttribute("data-more")) more(target);
    else preview(target);
  });

  function start() {
    times(document);
    var target = location.hash && document.getElementById(location.hash.slice(1));
    if (target && target.matches("li.comment")) target.focus({ preventScroll: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
