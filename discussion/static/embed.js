/* Samtal's embed widget: a post's question threads, and the forms to answer them, on any blog.

   <div id="samtal" data-post="SLUG"><noscript><a href="https://SAMTAL/SLUG">…</a></noscript></div>
   <script src="https://SAMTAL/embed.js" async></script>

   Talks only to the Samtal origin it was loaded from, through /api/v1, without cookies: what
   Samtal's own pages keep in cookies (this browser's id for likes, the signed list of the
   comments it wrote, each thread's order) the widget keeps in localStorage and sends as headers.
   Avatars come from Samtal itself. Text in Swedish, or English when the page says <html lang="en">. Elements <span data-samtal-count="SLUG">
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
    trap: "Leave this empty", like: "Like", liked: "You like this", likes: "likes",
    sort: "Order", sorts: { oldest: "Oldest first", newest: "Newest first", liked: "Most liked" },
    edit: "Edit", del: "Delete", save: "Save", deleteSure: "Delete your comment for good?",
    deleted: "Your comment is deleted.", edited: "edited", preview: "Preview",
    previewIs: "This is how your comment will look:", help: "Blank line: new paragraph. Links are made clickable.",
    justNow: "just now"
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
    question: "Fråga %n av %t", trap: "Lämna tomt", like: "Gilla", liked: "Du gillar det här",
    likes: "gillar", sort: "Ordning", sorts: { oldest: "Äldst först", newest: "Nyast först", liked: "Mest gillade" },
    edit: "Ändra", del: "Ta bort", save: "Spara", deleteSure: "Ta bort din kommentar för gott?",
    deleted: "Din kommentar är borttagen.", edited: "ändrad", preview: "Förhandsgranska",
    previewIs: "Så här kommer din kommentar att se ut:", help: "Tom rad: nytt stycke. Länkar blir klickbara.",
    justNow: "nyss"
  };
  var KEY = "samtal:" + BASE + ":";
  function kept(name) { try { return localStorage.getItem(KEY + name); } catch (e) { return null; } }
  function keep(name, value) { try { localStorage.setItem(KEY + name, value); } catch (e) { /* private mode */ } }
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
    ":where(.samtal-error){color:#b00020}" +
    ":where(.samtal-byline){display:flex;flex-wrap:wrap;gap:.2em .5em;align-items:center;margin:0}" +
    ":where(.samtal-avatar){width:2em;height:2em;border-radius:50%}" +
    ":where(.samtal-like[aria-pressed=true]){font-weight:bold}" +
    ":where(.samtal-preview){border:1px dashed rgba(128,128,128,.6);padding:0 .8em}" +
    ":where(.samtal-new){outline:3px solid rgba(255,196,0,.8);outline-offset:4px}" +
    ":where(.samtal-text){overflow-wrap:anywhere}";

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
    if (options.personal) {  // only where needed: custom headers cost a CORS preflight
      if (kept("reader")) headers["X-Samtal-Reader"] = kept("reader");
      if (kept("own")) headers["X-Samtal-Own"] = kept("own");
    }
    for (var k in options.headers || {}) headers[k] = options.headers[k];
    return fetch(API + path, {
      method: options.method || "GET", headers: headers, body: options.body,
      mode: "cors", credentials: "omit"
    }).then(function (response) {
      if (response.status === 304) return { status: 304, data: null };
      if (response.status === 204) return { status: 204, data: null };
      return response.json().then(function (data) {
        if (data && typeof data.reader === "string") keep("reader", data.reader);
        if (data && typeof data.own === "string") keep("own", data.own);  // /mine lists them instead
        return { status: response.status, data: data };
      },
        function () { return { status: response.status, data: null }; });
    });
  }

  /* Times in the site's zone (the post says which), and relative: "för 5 minuter sedan". */
  var TZ;
  function when(iso) {
    var options = { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone: TZ };
    try { return new Date(iso).toLocaleString(EN ? "en-GB" : "sv-SE", options); } catch (e) {
      delete options.timeZone;
      return new Date(iso).toLocaleString(EN ? "en-GB" : "sv-SE", options);
    }
  }
  var STEPS = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];
  function ago(iso) {
    var seconds = (new Date(iso) - Date.now()) / 1000;
    if (!(window.Intl && Intl.RelativeTimeFormat)) return when(iso);
    if (Math.abs(seconds) < 60) return T.justNow;
    var relative = new Intl.RelativeTimeFormat(EN ? "en" : "sv", { numeric: "auto" });
    for (var i = 0; i < STEPS.length; i++) {
      if (Math.abs(seconds) >= STEPS[i][1]) return relative.format(Math.round(seconds / STEPS[i][1]), STEPS[i][0]);
    }
  }
  function time(iso) { return h("time", { datetime: iso, title: when(iso), text: ago(iso) }); }

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
    TZ = post.timezone || "Europe/Stockholm";
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
    this.mine();
    this.writeToken().catch(function () { /* asked again when a form is sent */ });
    Object.keys(this.threads).forEach(function (id) {
      var order = kept("sort:" + id);
      if (order && order !== "oldest") self.resort(self.threads[id], order);
    });
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
    var sortId = uid("sort");
    thread.sort = h("select", { id: sortId, onchange: function () {
      keep("sort:" + question.id, thread.sort.value);
      self.resort(thread, thread.sort.value);
    } }, Object.keys(T.sorts).map(function (k) {
      return h("option", { value: k, text: T.sorts[k], selected: k === (kept("sort:" + question.id) || "oldest") });
    }));
    var sorting = question.comment_count > 1 ? h("p", { "class": "samtal-meta" },
      [h("label", { "for": sortId, text: T.sort + " " }), thread.sort]) : null;
    kids.push(h("h" + this.level, { id: headingId, text: question.text }), thread.countEl, sorting, thread.list, thread.more);
    if (!question.closed) {
      // One button per thread opens its form in place, so the threads are not mostly forms.
      var slot = h("div");
      var open = h("button", { type: "button", "class": "samtal-answer", "aria-expanded": "false",
        text: question.general ? T.comment : T.answer, onclick: function () {
          if (open.getAttribute("aria-expanded") === "true") return close();
          var form = self.form(thread, null, close);
          form.id = uid("form");
          open.setAttribute("aria-controls", form.id);
          open.setAttribute("aria-expanded", "true");
          slot.replaceChildren(form);
          form.querySelector("textarea").focus();
        } });
      function close() {
        slot.replaceChildren();
        open.setAttribute("aria-expanded", "false");
        open.focus();
      }
      kids.push(h("p", {}, [open]), slot);
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
      var byline = h("p", { "class": "samtal-byline" }, [
        c.avatar ? h("img", { "class": "samtal-avatar", src: c.avatar, alt: "", width: "32", height: "32" }) : null,
        h("strong", {}, [h("bdi", { text: c.author })])]);
      (c.badges || []).forEach(function (badge) {
        byline.appendChild(h("span", { "class": "samtal-badge samtal-badge-" + badge.kind,
          text: badge.kind === "staff" ? T.staff : badge.label }));
      });
      byline.appendChild(h("a", { "class": "samtal-meta", href: c.url }, [time(c.created)]));
      if (c.edited) byline.appendChild(h("span", { "class": "samtal-meta", text: "(" + T.edited + ")" }));
      item.appendChild(byline);
      item.appendChild(c.html != null ? h("div", { "class": "samtal-text", dir: "auto", html: c.html })
        : h("div", { "class": "samtal-text", dir: "auto" }, c.text.split(/\n{2,}/).map(function (p) {
          return h("p", { text: p });
        })));
      if (c.waiting) {
        item.classList.add("samtal-own");
        item.appendChild(h("p", { "class": "samtal-waiting", text: "(" + T.waiting + ")" }));
      }
      item.appendChild(this.actions(c, thread, item, replies));
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
    item.samtalBox = box;
    item.samtalToggle = toggle;
    if (c.waiting) return h("div", {}, [box, slot]);  // only its writer sees it: nothing to answer yet
    var like = h("button", { type: "button", "class": "samtal-like", "aria-pressed": "false",
      "data-likes": String(c.likes || 0), onclick: function () { self.like(c, like); } });
    showLikes(like, c.likes || 0, false);
    box.appendChild(like);
    if (!thread.question.closed) box.appendChild(reply);
    box.appendChild(report);
    return h("div", {}, [box, slot]);
  };

  function showLikes(button, n, liked) {
    button.setAttribute("aria-pressed", liked ? "true" : "false");
    button.setAttribute("title", liked ? T.liked : T.like);
    button.textContent = (liked ? "♥ " : "♡ ") + T.like + (n ? " · " + n : "");
    button.setAttribute("aria-label", T.like + ", " + n + " " + T.likes);
  }

  Widget.prototype.like = function (c, button) {
    var self = this;
    button.disabled = true;
    this.send("/comments/" + c.id + "/likes", {}).then(function (answer) {
      if (answer.status !== 200) return self.say((answer.data && answer.data.error && answer.data.error.message) || T.sendFailed);
      showLikes(button, answer.data.likes, answer.data.liked);
    }).catch(function () { self.say(T.sendFailed); }).then(function () { button.disabled = false; });
  };

  /* The comments this browser wrote (and may change for a while) and the ones it likes. */
  Widget.prototype.mine = function () {
    var self = this;
    if (!kept("own") && !kept("reader")) return;
    call("/posts/" + encodeURIComponent(this.slug) + "/mine", { personal: true }).then(function (answer) {
      if (answer.status !== 200) return;
      answer.data.liked.forEach(function (id) {
        var button = document.querySelector("#samtal-c-" + id + " > div > .samtal-actions > .samtal-like");
        if (button) showLikes(button, parseInt(button.getAttribute("data-likes"), 10), true);
      });
      answer.data.own.forEach(function (own) { self.own(own); });
    }).catch(function () { /* the public threads are shown anyway */ });
  };

  Widget.prototype.own = function (own) {
    var thread = this.threads[own.question_id];
    if (!thread) return;
    var item = document.getElementById("samtal-c-" + own.id);
    if (!item) {
      if (own.state === "approved") return;  // shown on a later page of the thread
      var parent = own.parent_id && document.getElementById("samtal-c-" + own.parent_id);
      item = this.comment({ id: own.id, author: own.author, created: own.created, html: own.html,
        text: own.text, badges: [], url: "", waiting: true, edited: own.edited, replies: [] }, thread);
      place((parent && parent.samtalReplies) || thread.list, item);
    }
    if (own.editable_until && new Date(own.editable_until) > Date.now()) this.changeable(item, own, thread);
  };

  /* "Ändra" and "Ta bort" on the writer's own comment, while SAMTAL_EDIT_MINUTES last. */
  Widget.prototype.changeable = function (item, own, thread) {
    var self = this, box = item.samtalBox;
    if (!box || box.querySelector(".samtal-edit")) return;
    var edit = h("button", { type: "button", "class": "samtal-edit", "aria-expanded": "false", text: T.edit,
      onclick: function () { item.samtalToggle(edit, function (close) { return self.editForm(item, own, thread, close); }); } });
    var del = h("button", { type: "button", "class": "samtal-delete", text: T.del, onclick: function () {
      if (!window.confirm(T.deleteSure)) return;
      self.send("/comments/" + own.id, null, false, "DELETE").then(function (answer) {
        if (answer.status !== 204) return self.say((answer.data && answer.data.error && answer.data.error.message) || T.sendFailed);
        var gone = h("li", { "class": "samtal-comment", id: item.id, tabindex: "-1" },
          [h("p", { "class": "samtal-meta", text: T.removed })]);
        if (item.samtalReplies.parentNode) gone.appendChild(item.samtalReplies);
        item.replaceWith(gone);
        if (own.state === "approved") {
          thread.count -= 1;
          thread.countEl.textContent = count(thread.count);
          self.updateCounts(-1);
        }
        gone.focus();
        self.say(T.deleted);
      }).catch(function () { self.say(T.sendFailed); });
    } });
    box.appendChild(edit);
    box.appendChild(del);
  };

  Widget.prototype.editForm = function (item, own, thread, close) {
    var self = this;
    var body = h("textarea", { id: uid("edit"), name: "body", required: true, rows: "4",
      maxlength: String(this.post.limits.comment) });
    body.value = own.text;
    var alert = h("div", { "class": "samtal-error", role: "alert" });
    var form = h("form", { "class": "samtal-form" }, [alert, field(T.yourAnswer, body),
      h("p", { "class": "samtal-actions" }, [h("button", { type: "submit", text: T.save }),
        h("button", { type: "button", text: T.cancel, onclick: close })])]);
    escapeCloses(form, close);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.send("/comments/" + own.id, { body: body.value }, false, "PATCH").then(function (answer) {
        if (answer.status !== 200) return self.showError(alert, answer.data, { body: body });
        var fresh = answer.data.comment;
        var wasShown = own.state === "approved";
        var replacement = self.comment({ id: fresh.id, author: fresh.author, created: fresh.created,
          html: fresh.state === "approved" ? fresh.html : null, text: fresh.text, badges: [], url: "",
          waiting: fresh.state !== "approved", edited: true, likes: 0, replies: [] }, thread);
        if (item.samtalReplies.parentNode) replacement.appendChild(item.samtalReplies);
        replacement.samtalReplies = item.samtalReplies;
        item.replaceWith(replacement);
        if (wasShown && fresh.state !== "approved") {
          thread.count -= 1;
          thread.countEl.textContent = count(thread.count);
        }
        self.own(fresh);
        replacement.focus();
        self.say(fresh.state === "approved" ? T.published : T.waitingLong);
      }).catch(function () { alert.replaceChildren(h("p", { text: T.sendFailed })); });
    });
    return form;
  };

  /* Another order for one thread: its first page again, from the API in that order. */
  Widget.prototype.resort = function (thread, order) {
    var self = this;
    thread.order = order;
    call("/posts/" + encodeURIComponent(this.slug) + "/questions/" + thread.question.id +
      "/comments?sort=" + order).then(function (answer) {
      if (answer.status !== 200) throw new Error(answer.status);
      thread.list.replaceChildren();
      answer.data.comments.forEach(function (c) { thread.list.appendChild(self.comment(c, thread)); });
      thread.next = answer.data.next;
      thread.more.hidden = !thread.next;
      self.mine();
    }).catch(function () { self.say(T.sendFailed); });
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
    var shown = h("div", { "class": "samtal-preview", hidden: true, "aria-live": "polite" });
    var preview = h("button", { type: "button", text: T.preview, onclick: function () {
      call("/preview", { method: "POST", body: JSON.stringify({ body: body.value }),
        headers: { "Content-Type": "application/json" } }).then(function (answer) {
        if (answer.status !== 200) return self.showError(alert, answer.data, { body: body });
        shown.hidden = false;
        shown.replaceChildren(h("p", { "class": "samtal-meta", text: T.previewIs }),
          h("div", { "class": "samtal-text", dir: "auto", html: answer.data.html }));
      }).catch(function () { alert.replaceChildren(h("p", { text: T.sendFailed })); });
    } });
    var helpId = uid("help");
    body.setAttribute("aria-describedby", helpId);
    var form = h("form", { "class": "samtal-form" }, [
      alert, field(parent ? T.yourReply : T.yourAnswer, body),
      h("p", { id: helpId, "class": "samtal-meta", text: T.help }), shown, field(T.name, name), field(T.email, email),
      h("p", { "class": "samtal-check" }, [notify, h("label", { "for": notify.id, text: T.notify })]),
      h("div", { "aria-hidden": "true", style: "position:absolute;left:-10000px" }, [field(T.trap, trap)]),
      h("p", { "class": "samtal-actions" }, [submit, preview, close ? h("button", { type: "button", text: T.cancel, onclick: close }) : null])
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
          shown.hidden = true;
          if (close) close();
          self.posted(answer.data.comment, thread, replies);
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

  Widget.prototype.send = function (path, payload, retried, method) {
    var self = this;
    return this.writeToken(retried).then(function (token) {
      var headers = { "X-Samtal-Token": token };
      if (payload) {
        payload.ts = self.token.ts;
        headers["Content-Type"] = "application/json";
      }
      return call(path, { method: method || "POST", body: payload ? JSON.stringify(payload) : null,
        headers: headers, personal: true });
    }).then(function (answer) {
      var code = answer.data && answer.data.error && answer.data.error.code;
      if (!retried && (code === "token_expired" || code === "token_invalid")) return self.send(path, payload, true, method);
      return answer;
    });
  };

  Widget.prototype.posted = function (own, thread, replies) {
    var shown = own.state === "approved";
    var view = { id: own.id, parent_id: own.parent_id, author: own.author, created: own.created,
      html: shown ? own.html : null, text: own.text, badges: [], url: this.post.url + "#kommentar-" + own.id,
      waiting: !shown, likes: 0, replies: [] };
    var item = this.comment(view, thread);
    place(replies || thread.list, item);
    this.own(own);
    item.classList.add("samtal-new");
    setTimeout(function () { item.classList.remove("samtal-new"); }, 4000);
    if (shown) {
      thread.count += 1;
      thread.countEl.textContent = count(thread.count);
      this.updateCounts(1);
      this.say(T.published);
    } else {
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
