/* Samtal's embed widget: a post's question threads, and the forms to answer them, on any blog.

   <div id="samtal" data-post="SLUG"><noscript><a href="https://SAMTAL/SLUG">…</a></noscript></div>
   <script src="https://SAMTAL/embed.js" async></script>

   Talks only to the Samtal origin it was loaded from, through /api/v1, without cookies. Text in
   Swedish, or English when the page says <html lang="en">. Elements <span data-samtal-count="SLUG">
   anywhere on the page get the post's comment count. The styles use :where() so that any rule
   of the host page wins over them. No framework, no third-party requests. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector('script[src$="/embed.js"]');
  var BASE = new URL(script.src, location.href).origin;
  var API = BASE + "/api/v1";
  var EN = /^en\b/i.test(document.documentElement.lang || "");
  var T = EN ? {
    answer: "Answer the question", comment: "Write a comment", yourAnswer: "Your comment",
    yourReply: "Your reply", name: "Name", email: "E-mail (optional, not shown)",
    notify: "E-mail me replies", send: "Send comment", sendReply: "Send reply", reply: "Reply",
    cancel: "Cancel", report: "Report", reportWhy: "Why?", reportSend: "Send report",
    reasons: { spam: "Spam", personangrepp: "Personal attack", annat: "Something else" },
    reported: "Thank you. The moderators will look at it.", more: "Show more comments",
    removed: "The comment has been removed.", staff: "Author", one: "comment", many: "comments",
    published: "Thank you! Your comment is published.",
    waiting: "awaiting review", waitingLong: "Thank you! Your comment will be shown once it has been reviewed.",
    held: "Thank you! Confirm your address with the link we e-mailed you; then your comment is shown.",
    failed: "The comments could not be shown here.", readOn: "Read and write them on Samtal",
    sendFailed: "Could not send. Check your connection and try again.", sending: "Sending…",
    feed: "Comments as a feed", discussion: "Discussion", question: "Question %n of %t",
    trap: "Leave this empty"
  } : {
    answer: "Svara på frågan", comment: "Skriv en kommentar", yourAnswer: "Din kommentar",
    yourReply: "Ditt svar", name: "Namn", email: "E-post (valfritt, visas inte)",
    notify: "Meddela mig om svar", send: "Skicka kommentar", sendReply: "Skicka svar", reply: "Svara",
    cancel: "Avbryt", report: "Anmäl", reportWhy: "Varför?", reportSend: "Skicka anmälan",
    reasons: { spam: "Skräp", personangrepp: "Personangrepp", annat: "Annat" },
    reported: "Tack. Moderatorerna tittar på det.", more: "Visa fler kommentarer",
    removed: "Kommentaren är borttagen.", staff: "Skribent", one: "kommentar", many: "kommentarer",
    published: "Tack! Din kommentar är publicerad.",
    waiting: "väntar på granskning", waitingLong: "Tack! Din kommentar visas när den har granskats.",
    held: "Tack! Bekräfta din adress med länken vi skickat till din e-post, så visas kommentaren.",
    failed: "Kommentarerna kunde inte visas här.", readOn: "Läs och skriv dem på Samtal",
    sendFailed: "Det gick inte att skicka. Kontrollera anslutningen och försök igen.",
    sending: "Skickar…", feed: "Kommentarerna som flöde", discussion: "Diskussion",
    question: "Fråga %n av %t", trap: "Lämna tomt"
  };
  var CSS = ":where(.samtal){font:inherit;color:inherit;line-height:1.5}" +
    ":where(.samtal) :where(ol){list-style:none;margin:0;padding:0}" +
    ":where(.samtal-thread){margin:2em 0}" +
    ":where(.samtal-count,.samtal-meta,.samtal-foot){opacity:.75;font-size:.9em}" +
    ":where(.samtal-comment){margin:1em 0}" +
    ":where(.samtal-replies){margin-left:1em;padding-left:1em;border-left:2px solid rgba(128,128,128,.35)}" +
    ":where(.samtal-badge){font-size:.8em;border:1px solid currentColor;border-radius:.3em;padding:0 .3em;margin-left:.3em}" +
    ":where(.samtal-waiting){opacity:.8;font-style:italic}" +
    ":where(.samtal-form) :where(label){display:block;margin-top:.5em}" +
    ":where(.samtal-form) :where(input[type=text],input[type=email],textarea,select){font:inherit;width:100%;max-width:40em;box-sizing:border-box}" +
    ":where(.samtal-form) :where(.samtal-check){display:flex;gap:.4em;align-items:center}" +
    ":where(.samtal-form) :where(.samtal-check) :where(input){width:auto}" +
    ":where(.samtal button){font:inherit;cursor:pointer}" +
    ":where(.samtal-actions){display:flex;gap:.5em}" +
    ":where(.samtal-error){color:#b00020}";

  function h(tag, attrs, kids) {
    var el = document.createElement(tag);
    for (var k in attrs || {}) {
      if (attrs[k] == null || attrs[k] === false) continue;
      if (k === "text") el.textContent = attrs[k];
      else if (k === "html") el.innerHTML = attrs[k]; // the server's stored, sanitised HTML
      else if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), attrs[k]);
      else el.setAttribute(k, attrs[k] === true ? "" : attrs[k]);
    }
    (kids || []).forEach(function (kid) { if (kid) el.appendChild(kid); });
    return el;
  }

  function count(n) { return n + " " + (n === 1 ? T.one : T.many); }

  function call(path, options) {
    options = options || {};
    var headers = { "Accept": "application/json", "Accept-Language": EN ? "en" : "sv" };
    for (var k in options.headers || {}) headers[k] = options.headers[k];
    return fetch(API + path, {
      method: options.method || "GET", headers: headers, body: options.body,
      mode: "cors", credentials: "omit"
    }).then(function (response) {
      if (response.status === 304) return { status: 304, data: null };
      return response.json().then(function (data) { return { status: response.status, data: data }; },
        function () { return { status: response.status, data: null }; });
    });
  }

  function when(iso) {
    var date = new Date(iso);
    return date.toLocaleString(EN ? "en-GB" : "sv-SE",
      { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  }

  var seq = 0;
  function uid(prefix) { seq += 1; return "samtal-" + prefix + "-" + seq; }

  function Widget(root, slug) {
    this.root = root;
    this.slug = slug;
    this.level = Math.min(6, Math.max(2, parseInt(root.getAttribute("data-heading-level"), 10) || 3));
    this.threads = {};
    this.token = null;
    this.storeKey = "samtal:" + BASE + ":" + slug;
  }

  Widget.prototype.load = function () {
    var self = this;
    call("/posts/" + encodeURIComponent(this.slug)).then(function (answer) {
      if (answer.status !== 200) throw new Error(answer.status);
      self.render(answer.data);
    }).catch(function () { self.fail(); });
  };

  Widget.prototype.fail = function () {
    var link = h("a", { href: BASE + "/" + encodeURIComponent(this.slug), text: T.readOn });
    this.root.replaceChildren(h("p", { "class": "samtal samtal-failed" }, [
      document.createTextNode(T.failed + " "), link]));
  };

  Widget.prototype.render = function (post) {
    var self = this;
    this.post = post;
    this.status = h("p", { "class": "samtal-status", role: "status", "aria-live": "polite" });
    var asked = post.questions.filter(function (q) { return !q.general; }).length;
    var sections = post.questions.map(function (question, index) {
      return self.thread(question, index + 1, asked);
    });
    var box = h("section", { "class": "samtal", "aria-label": T.discussion, lang: EN ? "en" : "sv" },
      [this.status].concat(sections).concat([h("p", { "class": "samtal-foot" }, [
        h("a", { href: post.url, text: "Samtal" }), document.createTextNode(" · "),
        h("a", { href: post.feed, type: "application/atom+xml", text: T.feed })])]));
    this.root.replaceChildren(box);
    this.restoreWaiting();
    this.writeToken().catch(function () { /* asked again when a form is sent */ });
  };

  Widget.prototype.thread = function (question, number, asked) {
    var headingId = uid("q");
    var thread = {
      question: question, count: question.comment_count, list: h("ol", { "class": "samtal-comments" }),
      countEl: h("p", { "class": "samtal-count", text: count(question.comment_count) }),
      next: question.next
    };
    this.threads[question.id] = thread;
    var self = this;
    question.comments.forEach(function (c) { thread.list.appendChild(self.comment(c, thread)); });
    thread.more = h("button", { type: "button", "class": "samtal-more", text: T.more,
      hidden: !thread.next, onclick: function () { self.more(thread); } });
    var kids = [];
    if (!question.general) {
      kids.push(h("p", { "class": "samtal-meta", text: T.question.replace("%n", number).replace("%t", asked) }));
    }
    kids.push(h("h" + this.level, { id: headingId, text: question.text }), thread.countEl, thread.list, thread.more);
    if (!question.closed) {
      kids.push(h("h" + Math.min(6, this.level + 1), { text: question.general ? T.comment : T.answer }));
      kids.push(this.form(thread, null));
    }
    return h("section", { "class": "samtal-thread", "aria-labelledby": headingId }, kids);
  };

  Widget.prototype.comment = function (c, thread) {
    var self = this;
    var item = h("li", { "class": "samtal-comment", id: "samtal-c-" + c.id, tabindex: "-1" });
    var replies = h("ol", { "class": "samtal-replies" });
    if (c.removed) {
      item.appendChild(h("p", { "class": "samtal-meta", text: T.removed }));
    } else {
      var byline = h("p", { "class": "samtal-byline" }, [h("strong", {}, [h("bdi", { text: c.author })])]);
      (c.badges || []).forEach(function (badge) {
        byline.appendChild(h("span", { "class": "samtal-badge samtal-badge-" + badge.kind,
          text: badge.kind === "staff" ? T.staff : badge.label }));
      });
      byline.appendChild(document.createTextNode(" "));
      byline.appendChild(h("a", { "class": "samtal-meta", href: c.url },
        [h("time", { datetime: c.created, text: when(c.created) })]));
      item.appendChild(byline);
      item.appendChild(c.html != null ? h("div", { "class": "samtal-text", dir: "auto", html: c.html })
        : h("div", { "class": "samtal-text", dir: "auto" }, c.text.split(/\n{2,}/).map(function (p) {
          return h("p", { text: p });
        })));
      if (c.waiting) {
        item.classList.add("samtal-own");
        item.appendChild(h("p", { "class": "samtal-waiting", text: "(" + T.waiting + ")" }));
      } else {
        item.appendChild(this.actions(c, thread, item, replies));
      }
    }
    replies.samtalOwner = item;
    item.samtalReplies = replies;
    (c.replies || []).forEach(function (reply) { place(replies, self.comment(reply, thread)); });
    return item;
  };

  /* A reply list joins its comment with its first reply, so no empty lists are announced. */
  function place(list, item) {
    list.appendChild(item);
    if (!list.parentNode && list.samtalOwner) list.samtalOwner.appendChild(list);
  }

  Widget.prototype.actions = function (c, thread, item, replies) {
    var self = this;
    var box = h("div", { "class": "samtal-actions" });
    var slot = h("div");
    function toggle(button, build) {
      var open = button.getAttribute("aria-expanded") === "true";
      slot.replaceChildren();
      box.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-expanded", "false"); });
      if (open) return;
      var panel = build(function close() {
        slot.replaceChildren();
        button.setAttribute("aria-expanded", "false");
        button.focus();
      });
      panel.id = uid("panel");
      button.setAttribute("aria-controls", panel.id);
      button.setAttribute("aria-expanded", "true");
      slot.appendChild(panel);
      panel.querySelector("textarea, select").focus();
    }
    var reply = h("button", { type: "button", "class": "samtal-reply", "aria-expanded": "false", text: T.reply,
      onclick: function () {
        if (thread.question.closed) return;
        toggle(reply, function (close) { return self.form(thread, c, close, replies); });
      } });
    var report = h("button", { type: "button", "class": "samtal-report", "aria-expanded": "false",
      text: T.report, onclick: function () { toggle(report, function (close) { return self.reportForm(c, close); }); } });
    if (!thread.question.closed) box.appendChild(reply);
    box.appendChild(report);
    return h("div", {}, [box, slot]);
  };

  function field(label, input) {
    return h("p", {}, [h("label", { "for": input.id, text: label }), input]);
  }

  function escapeCloses(panel, close) {
    if (close) {
      panel.addEventListener("keydown", function (event) {
        if (event.key === "Escape") { event.preventDefault(); close(); }
      });
    }
  }

  Widget.prototype.form = function (thread, parent, close, replies) {
    var self = this;
    var limits = this.post.limits;  // the server's own limits (COMMENT_MAX_LENGTH, NAME_MAX_LENGTH)
    var body = h("textarea", { id: uid("body"), name: "body", required: true, maxlength: String(limits.comment), rows: parent ? "3" : "5" });
    var name = h("input", { id: uid("name"), name: "name", type: "text", required: true, maxlength: String(limits.name), autocomplete: "name" });
    var email = h("input", { id: uid("email"), name: "email", type: "email", maxlength: "254", autocomplete: "email" });
    var notify = h("input", { id: uid("notify"), name: "notify", type: "checkbox" });
    var trap = h("input", { id: uid("website"), name: "website", type: "text", tabindex: "-1", autocomplete: "off" });
    var alert = h("div", { "class": "samtal-error", role: "alert" });
    var submit = h("button", { type: "submit", text: parent ? T.sendReply : T.send });
    var form = h("form", { "class": "samtal-form" }, [
      alert, field(parent ? T.yourReply : T.yourAnswer, body), field(T.name, name), field(T.email, email),
      h("p", { "class": "samtal-check" }, [notify, h("label", { "for": notify.id, text: T.notify })]),
      h("div", { "aria-hidden": "true", style: "position:absolute;left:-10000px" }, [field(T.trap, trap)]),
      h("p", { "class": "samtal-actions" }, [submit, close ? h("button", { type: "button", text: T.cancel, onclick: close }) : null])
    ]);
    escapeCloses(form, close);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var inputs = { body: body, name: name, email: email };
      Object.keys(inputs).forEach(function (k) { inputs[k].removeAttribute("aria-invalid"); });
      alert.replaceChildren();
      submit.disabled = true;
      submit.textContent = T.sending;
      var payload = { name: name.value, email: email.value || null, body: body.value,
        parent_id: parent ? parent.id : null, notify: notify.checked, website: trap.value };
      self.send("/posts/" + encodeURIComponent(self.slug) + "/questions/" + thread.question.id + "/comments",
        payload).then(function (answer) {
        if (answer.status === 201) {
          body.value = "";
          self.posted(answer.data.comment, thread, replies);
          if (close) close();
          return;
        }
        self.showError(alert, answer.data, inputs);
      }).catch(function () {
        alert.replaceChildren(h("p", { text: T.sendFailed }));
      }).then(function () {
        submit.disabled = false;
        submit.textContent = parent ? T.sendReply : T.send;
      });
    });
    return form;
  };

  Widget.prototype.showError = function (alert, data, inputs) {
    var error = (data && data.error) || {};
    var lines = [h("p", { text: error.message || T.sendFailed })];
    var first = null;
    Object.keys(error.fields || {}).forEach(function (key) {
      lines.push(h("p", { text: error.fields[key].join(" ") }));
      var input = inputs && inputs[key];
      if (input) { input.setAttribute("aria-invalid", "true"); first = first || input; }
    });
    alert.replaceChildren.apply(alert, lines);
    if (first) first.focus();
  };

  Widget.prototype.reportForm = function (c, close) {
    var self = this;
    var reason = h("select", { id: uid("reason"), name: "reason" }, Object.keys(T.reasons).map(function (k) {
      return h("option", { value: k, text: T.reasons[k] });
    }));
    var alert = h("div", { "class": "samtal-error", role: "alert" });
    var form = h("form", { "class": "samtal-form" }, [alert, field(T.reportWhy, reason),
      h("p", { "class": "samtal-actions" }, [h("button", { type: "submit", text: T.reportSend }),
        h("button", { type: "button", text: T.cancel, onclick: close })])]);
    escapeCloses(form, close);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.send("/comments/" + c.id + "/reports", { reason: reason.value }).then(function (answer) {
        if (answer.status === 201) {
          close();
          self.say(T.reported);
        } else {
          self.showError(alert, answer.data);
        }
      }).catch(function () { alert.replaceChildren(h("p", { text: T.sendFailed })); });
    });
    return form;
  };

  Widget.prototype.say = function (text) {
    this.status.textContent = "";
    this.status.textContent = text;
  };

  Widget.prototype.writeToken = function (fresh) {
    var self = this;
    if (this.token && !fresh && Date.now() < this.token.until) return Promise.resolve(this.token.value);
    return call("/posts/" + encodeURIComponent(this.slug) + "/token").then(function (answer) {
      if (answer.status !== 200) throw new Error(answer.status);
      self.token = { value: answer.data.token, ts: answer.data.form_ts,
        until: Date.now() + (answer.data.expires_in - 60) * 1000 };
      return self.token.value;
    });
  };

  Widget.prototype.send = function (path, payload, retried) {
    var self = this;
    return this.writeToken(retried).then(function (token) {
      payload.ts = self.token.ts;
      return call(path, { method: "POST", body: JSON.stringify(payload),
        headers: { "Content-Type": "application/json", "X-Samtal-Token": token } });
    }).then(function (answer) {
      var code = answer.data && answer.data.error && answer.data.error.code;
      if (!retried && (code === "token_expired" || code === "token_invalid")) return self.send(path, payload, true);
      return answer;
    });
  };

  Widget.prototype.posted = function (own, thread, replies) {
    var shown = own.state === "approved";
    var view = { id: own.id, parent_id: own.parent_id, author: own.author, created: own.created, html: own.html,
      text: own.text, badges: [], url: this.post.url + "#kommentar-" + own.id, waiting: !shown, replies: [] };
    var item = this.comment(view, thread);
    place(replies || thread.list, item);
    if (shown) {
      thread.count += 1;
      thread.countEl.textContent = count(thread.count);
      this.updateCounts(1);
      this.say(T.published);
    } else {
      this.remember(own);
      this.say(own.awaiting_verification || own.state === "held" ? T.held : T.waitingLong);
    }
    item.focus();
  };

  Widget.prototype.updateCounts = function (delta) {
    var slug = this.slug;
    var n = this.post.comment_count += delta;
    document.querySelectorAll("[data-samtal-count]").forEach(function (el) {
      if (el.getAttribute("data-samtal-count") === slug) el.textContent = count(n);
    });
  };

  Widget.prototype.more = function (thread) {
    var self = this;
    var first = thread.list.children.length;
    call("/posts/" + encodeURIComponent(this.slug) + "/questions/" + thread.question.id +
      "/comments?after=" + encodeURIComponent(thread.next)).then(function (answer) {
      if (answer.status !== 200) throw new Error(answer.status);
      answer.data.comments.forEach(function (c) { thread.list.appendChild(self.comment(c, thread)); });
      thread.next = answer.data.next;
      thread.more.hidden = !thread.next;
      var focus = thread.list.children[first];
      if (focus) focus.focus();
    }).catch(function () { self.say(T.sendFailed); });
  };

  /* The reader's own comments that wait for review, kept in this browser until they are shown. */
  Widget.prototype.stored = function () {
    try { return JSON.parse(localStorage.getItem(this.storeKey)) || []; } catch (e) { return []; }
  };

  Widget.prototype.remember = function (own) {
    var list = this.stored().concat([own]);
    try { localStorage.setItem(this.storeKey, JSON.stringify(list.slice(-20))); } catch (e) { /* private mode */ }
  };

  Widget.prototype.restoreWaiting = function () {
    var self = this;
    var keep = this.stored().filter(function (own) {
      var thread = self.threads[own.question_id];
      if (!thread || document.getElementById("samtal-c-" + own.id)) return false;
      var parent = own.parent_id && document.getElementById("samtal-c-" + own.parent_id);
      var view = { id: own.id, author: own.author, created: own.created, html: null, text: own.text,
        badges: [], url: "", waiting: true, replies: [] };
      place((parent && parent.samtalReplies) || thread.list, self.comment(view, thread));
      return true;
    });
    try { localStorage.setItem(this.storeKey, JSON.stringify(keep)); } catch (e) { /* private mode */ }
  };

  function counts() {
    var els = document.querySelectorAll("[data-samtal-count]");
    var slugs = [];
    els.forEach(function (el) {
      var slug = el.getAttribute("data-samtal-count");
      if (slugs.indexOf(slug) < 0) slugs.push(slug);
    });
    if (!slugs.length) return;
    var query = slugs.slice(0, 100).map(function (s) { return "post=" + encodeURIComponent(s); }).join("&");
    call("/counts?" + query).then(function (answer) {
      if (answer.status !== 200) return;
      els.forEach(function (el) {
        var n = answer.data.counts[el.getAttribute("data-samtal-count")] || 0;
        el.textContent = count(n);
      });
    }).catch(function () { /* the host's own text stays */ });
  }

  function start() {
    if (!document.getElementById("samtal-style")) {
      document.head.appendChild(h("style", { id: "samtal-style", text: CSS }));
    }
    var root = document.getElementById("samtal");
    if (root && root.getAttribute("data-post")) new Widget(root, root.getAttribute("data-post")).load();
    counts();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
