/*
 * Nettpatrulje web chat for a police website. Embed with one tag:
 *
 *   <script src="https://<app>/static/widget/widget.js" data-widget-key="<key>" async></script>
 *
 * Plain JavaScript, no build step, no framework, no third-party cookies: the
 * visitor's signed token lives in the host page's own localStorage and travels
 * as `Authorization: Bearer`. Everything is drawn inside a Shadow DOM with its
 * own stylesheet, so the host page's CSS cannot break it (nor it the page's).
 * Optional attributes: data-api-base (API root, default <script origin>/widget/api/),
 * data-lang (overrides <html lang> and the browser's language).
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !script.dataset.widgetKey) {
    if (window.console) console.warn("nettpatrulje widget: data-widget-key missing");
    return;
  }
  var KEY = script.dataset.widgetKey;
  if (window.__nettpatruljeWidgets && window.__nettpatruljeWidgets[KEY]) return; // included twice
  window.__nettpatruljeWidgets = window.__nettpatruljeWidgets || {};
  window.__nettpatruljeWidgets[KEY] = true;

  var SRC = new URL(script.src, location.href);
  var API = script.dataset.apiBase || new URL("/widget/api/", SRC).href;
  var CSS = new URL("widget.css", SRC).href;
  var STORE = "nettpatrulje-widget:" + KEY;
  var POLL_OPEN = 2000;
  var POLL_CLOSED = 15000;

  // --- Strings -------------------------------------------------------------
  var I18N = {
    en: {
      launcher: "Chat with the police", close: "Close chat", log: "Messages",
      notEmergency: "Not an emergency service.", emergencyCall: "In an emergency, call",
      nonEmergency: "Other matters:", hours: "Opening hours", openNow: "Open now",
      closedNow: "Closed now – we answer when we are back.", tz: "Times in time zone {tz}",
      closedDay: "closed",
      intro: "Ask us a question or give us a tip. We cannot take police reports here.",
      label: "Your message", placeholder: "Write a message…", send: "Send",
      sending: "Sending…", sent: "Sent", failed: "Not sent", retry: "Try again",
      you: "You", police: "Police", auto: "Automatic reply",
      tooLong: "The message is too long (at most {n} characters).",
      rate: "You are writing very fast. Wait {s} seconds and try again.",
      unavailable: "The chat is not available right now.",
      offline: "No connection. Trying again…",
      forget: "Forget this chat on this device",
      forgetAsk: "Delete this chat from this device? The police keep the conversation.",
      newReply: "New reply",
      days: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    },
    nb: {
      launcher: "Chat med politiet", close: "Lukk chatten", log: "Meldinger",
      notEmergency: "Ikke en nødtjeneste.", emergencyCall: "Ved nødsituasjoner, ring",
      nonEmergency: "Andre henvendelser:", hours: "Åpningstider", openNow: "Åpent nå",
      closedNow: "Stengt nå – vi svarer når vi er tilbake.", tz: "Tider i tidssone {tz}",
      closedDay: "stengt",
      intro: "Still oss et spørsmål eller gi oss et tips. Vi kan ikke ta imot anmeldelser her.",
      label: "Din melding", placeholder: "Skriv en melding …", send: "Send",
      sending: "Sender …", sent: "Sendt", failed: "Ikke sendt", retry: "Prøv igjen",
      you: "Du", police: "Politiet", auto: "Automatisk svar",
      tooLong: "Meldingen er for lang (høyst {n} tegn).",
      rate: "Du skriver veldig fort. Vent {s} sekunder og prøv igjen.",
      unavailable: "Chatten er ikke tilgjengelig akkurat nå.",
      offline: "Ingen forbindelse. Prøver igjen …",
      forget: "Glem denne chatten på denne enheten",
      forgetAsk: "Slette chatten fra denne enheten? Politiet beholder samtalen.",
      newReply: "Nytt svar",
      days: ["man.", "tir.", "ons.", "tor.", "fre.", "lør.", "søn."]
    },
    nn: {
      launcher: "Chat med politiet", close: "Lukk chatten", log: "Meldingar",
      notEmergency: "Ikkje ei naudteneste.", emergencyCall: "Ved naudsituasjonar, ring",
      nonEmergency: "Andre førespurnader:", hours: "Opningstider", openNow: "Ope no",
      closedNow: "Stengt no – vi svarar når vi er tilbake.", tz: "Tider i tidssone {tz}",
      closedDay: "stengt",
      intro: "Still oss eit spørsmål eller gi oss eit tips. Vi kan ikkje ta imot politimeldingar her.",
      label: "Meldinga di", placeholder: "Skriv ei melding …", send: "Send",
      sending: "Sender …", sent: "Sendt", failed: "Ikkje sendt", retry: "Prøv igjen",
      you: "Du", police: "Politiet", auto: "Automatisk svar",
      tooLong: "Meldinga er for lang (høgst {n} teikn).",
      rate: "Du skriv svært fort. Vent {s} sekund og prøv igjen.",
      unavailable: "Chatten er ikkje tilgjengeleg akkurat no.",
      offline: "Inga tilkopling. Prøver igjen …",
      forget: "Gløym denne chatten på denne eininga",
      forgetAsk: "Slette chatten frå denne eininga? Politiet tek vare på samtalen.",
      newReply: "Nytt svar",
      days: ["må.", "ty.", "on.", "to.", "fr.", "la.", "su."]
    },
    fi: {
      launcher: "Chattaa poliisin kanssa", close: "Sulje chat", log: "Viestit",
      notEmergency: "Tämä ei ole hätäpalvelu.", emergencyCall: "Hätätilanteessa soita",
      nonEmergency: "Muut asiat:", hours: "Palveluajat", openNow: "Avoinna nyt",
      closedNow: "Suljettu nyt – vastaamme, kun olemme taas paikalla.",
      tz: "Ajat aikavyöhykkeellä {tz}", closedDay: "suljettu",
      intro: "Kysy meiltä tai anna vinkki. Emme voi ottaa täällä vastaan rikosilmoituksia.",
      label: "Viestisi", placeholder: "Kirjoita viesti…", send: "Lähetä",
      sending: "Lähetetään…", sent: "Lähetetty", failed: "Ei lähetetty", retry: "Yritä uudelleen",
      you: "Sinä", police: "Poliisi", auto: "Automaattinen vastaus",
      tooLong: "Viesti on liian pitkä (enintään {n} merkkiä).",
      rate: "Kirjoitat hyvin nopeasti. Odota {s} sekuntia ja yritä uudelleen.",
      unavailable: "Chat ei ole juuri nyt käytettävissä.",
      offline: "Ei yhteyttä. Yritetään uudelleen…",
      forget: "Unohda tämä chat tällä laitteella",
      forgetAsk: "Poistetaanko chat tältä laitteelta? Poliisi säilyttää keskustelun.",
      newReply: "Uusi vastaus",
      days: ["ma", "ti", "ke", "to", "pe", "la", "su"]
    },
    nl: {
      launcher: "Chat met de politie", close: "Chat sluiten", log: "Berichten",
      notEmergency: "Geen noodhulpdienst.", emergencyCall: "Bij nood, bel",
      nonEmergency: "Geen spoed:", hours: "Openingstijden", openNow: "Nu open",
      closedNow: "Nu gesloten – we antwoorden zodra we terug zijn.",
      tz: "Tijden in tijdzone {tz}", closedDay: "gesloten",
      intro: "Stel ons een vraag of geef een tip. Aangifte doen kan hier niet.",
      label: "Je bericht", placeholder: "Schrijf een bericht…", send: "Versturen",
      sending: "Versturen…", sent: "Verstuurd", failed: "Niet verstuurd", retry: "Opnieuw proberen",
      you: "Jij", police: "Politie", auto: "Automatisch antwoord",
      tooLong: "Het bericht is te lang (maximaal {n} tekens).",
      rate: "Je schrijft erg snel. Wacht {s} seconden en probeer het opnieuw.",
      unavailable: "De chat is nu niet beschikbaar.",
      offline: "Geen verbinding. We proberen het opnieuw…",
      forget: "Deze chat vergeten op dit apparaat",
      forgetAsk: "Chat van dit apparaat verwijderen? De politie bewaart het gesprek.",
      newReply: "Nieuw antwoord",
      days: ["ma", "di", "wo", "do", "vr", "za", "zo"]
    },
    fr: {
      launcher: "Discuter avec la police", close: "Fermer le chat", log: "Messages",
      notEmergency: "Ce n’est pas un service d’urgence.", emergencyCall: "En cas d’urgence, appelle le",
      nonEmergency: "Autres demandes :", hours: "Heures d’ouverture", openNow: "Ouvert maintenant",
      closedNow: "Fermé pour le moment – nous répondrons dès notre retour.",
      tz: "Heures du fuseau {tz}", closedDay: "fermé",
      intro: "Pose-nous une question ou donne-nous une info. Nous ne pouvons pas enregistrer de plainte ici.",
      label: "Ton message", placeholder: "Écris un message…", send: "Envoyer",
      sending: "Envoi…", sent: "Envoyé", failed: "Non envoyé", retry: "Réessayer",
      you: "Toi", police: "Police", auto: "Réponse automatique",
      tooLong: "Le message est trop long ({n} caractères au maximum).",
      rate: "Tu écris très vite. Attends {s} secondes et réessaie.",
      unavailable: "Le chat n’est pas disponible pour le moment.",
      offline: "Pas de connexion. Nouvel essai…",
      forget: "Oublier ce chat sur cet appareil",
      forgetAsk: "Supprimer ce chat de cet appareil ? La police conserve la conversation.",
      newReply: "Nouvelle réponse",
      days: ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."]
    },
    is: {
      launcher: "Spjallaðu við lögregluna", close: "Loka spjalli", log: "Skilaboð",
      notEmergency: "Þetta er ekki neyðarþjónusta.", emergencyCall: "Í neyð, hringdu í",
      nonEmergency: "Önnur mál:", hours: "Opnunartími", openNow: "Opið núna",
      closedNow: "Lokað núna – við svörum þegar við komum aftur.",
      tz: "Tímar á tímabelti {tz}", closedDay: "lokað",
      intro: "Spurðu okkur eða sendu okkur ábendingu. Við getum ekki tekið við kærum hér.",
      label: "Skilaboðin þín", placeholder: "Skrifaðu skilaboð…", send: "Senda",
      sending: "Sendi…", sent: "Sent", failed: "Ekki sent", retry: "Reyna aftur",
      you: "Þú", police: "Lögreglan", auto: "Sjálfvirkt svar",
      tooLong: "Skilaboðin eru of löng (mest {n} stafir).",
      rate: "Þú skrifar mjög hratt. Bíddu í {s} sekúndur og reyndu aftur.",
      unavailable: "Spjallið er ekki í boði eins og er.",
      offline: "Engin tenging. Reyni aftur…",
      forget: "Gleyma þessu spjalli á þessu tæki",
      forgetAsk: "Eyða spjallinu af þessu tæki? Lögreglan geymir samtalið.",
      newReply: "Nýtt svar",
      days: ["mán.", "þri.", "mið.", "fim.", "fös.", "lau.", "sun."]
    }
  };
  var ALIASES = { no: "nb", nob: "nb", nno: "nn", fin: "fi", nld: "nl", fra: "fr", isl: "is" };

  function pickLanguage() {
    var candidates = [script.dataset.lang, document.documentElement.lang]
      .concat(navigator.languages || [navigator.language]);
    for (var i = 0; i < candidates.length; i++) {
      var code = String(candidates[i] || "").toLowerCase().split(/[-_]/)[0];
      code = ALIASES[code] || code;
      if (I18N[code]) return code;
    }
    return "en";
  }
  var LANG = pickLanguage();
  var T = I18N[LANG];
  function t(name, vars) {
    var s = T[name] != null ? T[name] : I18N.en[name];
    return String(s).replace(/\{(\w+)\}/g, function (_, k) { return vars && vars[k] != null ? vars[k] : ""; });
  }

  // --- Storage (the host page's own localStorage) ------------------------------
  function load() {
    try { return JSON.parse(localStorage.getItem(STORE) || "{}") || {}; } catch (e) { return {}; }
  }
  function save() {
    var pending = [];
    state.pending.forEach(function (p) { pending.push({ client_id: p.client_id, text: p.text }); });
    try {
      localStorage.setItem(STORE, JSON.stringify({ token: state.token, open: state.open, pending: pending }));
    } catch (e) { /* private mode or full: the chat still works for this page */ }
  }
  function forget() {
    try { localStorage.removeItem(STORE); } catch (e) { /* ignore */ }
  }

  var saved = load();
  var state = {
    token: saved.token || "",
    open: !!saved.open,
    info: null,
    cursor: null,
    seen: {},           // server message id -> element
    pending: new Map(),  // client id -> {client_id, text, el, status}
    timer: null,
    loaded: false,
    unread: 0,
    disabled: false
  };

  // --- DOM ----------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === "text") node.textContent = attrs[k];
        else if (k === "class") node.className = attrs[k];
        else if (attrs[k] === true) node.setAttribute(k, "");
        else if (attrs[k] !== false && attrs[k] != null) node.setAttribute(k, attrs[k]);
      });
    }
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }

  // A custom element name: host rules like `div { display: none }` cannot reach it.
  var host = document.createElement("nettpatrulje-chat");
  var root = host.attachShadow({ mode: "open" });
  var frame = el("div", { class: "np", hidden: true, lang: LANG });
  var link = el("link", { rel: "stylesheet", href: CSS });
  link.addEventListener("load", function () { frame.hidden = false; });
  link.addEventListener("error", function () { frame.hidden = false; });
  root.appendChild(link);
  root.appendChild(frame);

  var badge = el("span", { class: "np-badge", hidden: true, "aria-hidden": "true" });
  var launcher = el("button", {
    type: "button", class: "np-launcher", "aria-expanded": "false", "aria-controls": "np-panel"
  }, [
    el("span", { class: "np-launcher-icon", "aria-hidden": "true" }),
    el("span", { class: "np-launcher-text", text: t("launcher") }),
    badge
  ]);

  var closeBtn = el("button", { type: "button", class: "np-close", "aria-label": t("close"), title: t("close") },
    [el("span", { "aria-hidden": "true", text: "×" })]);
  var title = el("h2", { class: "np-title", id: "np-title", text: t("launcher") });
  var emergency = el("p", { class: "np-emergency" }, [
    el("strong", { text: t("notEmergency") }), " ", t("emergencyCall"), " ",
    el("a", { href: "tel:112", class: "np-tel", text: "112" }), "."
  ]);
  var nonEmergency = el("p", { class: "np-nonemergency", hidden: true });
  var status = el("p", { class: "np-status" });
  var hoursList = el("dl", { class: "np-hours-list" });
  var hoursNote = el("p", { class: "np-tz" });
  var hours = el("div", { class: "np-hours", hidden: true }, [
    el("h3", { class: "np-hours-title", text: t("hours") }), status, hoursList, hoursNote
  ]);
  var intro = el("p", { class: "np-intro", text: t("intro") });
  var log = el("ol", { class: "np-log", role: "log", "aria-live": "polite", "aria-label": t("log"), tabindex: "0" });
  var alertBox = el("p", { class: "np-alert", role: "alert", hidden: true });
  var textarea = el("textarea", {
    id: "np-text", class: "np-text", rows: "2", maxlength: "2000", placeholder: t("placeholder"),
    autocomplete: "off"
  });
  var sendBtn = el("button", { type: "submit", class: "np-send", text: t("send") });
  var form = el("form", { class: "np-form", novalidate: true }, [
    el("label", { for: "np-text", class: "np-sr", text: t("label") }), textarea, sendBtn
  ]);
  var forgetBtn = el("button", { type: "button", class: "np-forget", text: t("forget") });
  var panel = el("section", {
    id: "np-panel", class: "np-panel", role: "dialog", "aria-labelledby": "np-title", hidden: true
  }, [
    el("header", { class: "np-head" }, [title, closeBtn]),
    el("div", { class: "np-notice" }, [emergency, nonEmergency, hours]),
    el("div", { class: "np-body" }, [intro, log]),
    alertBox,
    form,
    el("footer", { class: "np-foot" }, [forgetBtn])
  ]);
  frame.appendChild(panel);
  frame.appendChild(launcher);

  function mount() { document.body.appendChild(host); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);

  // --- Rendering ------------------------------------------------------------------
  function timeText(iso) {
    try {
      return new Date(iso).toLocaleTimeString(LANG, { hour: "2-digit", minute: "2-digit" });
    } catch (e) { return ""; }
  }

  function renderInfo(info) {
    var agency = info.agency || {};
    if (info.channel && (info.channel.title || "")) title.textContent = info.channel.title;
    if (info.non_emergency_number) {
      nonEmergency.textContent = "";
      nonEmergency.appendChild(document.createTextNode(t("nonEmergency") + " "));
      nonEmergency.appendChild(el("a", { href: "tel:" + info.non_emergency_number.replace(/\s+/g, ""), class: "np-tel", text: info.non_emergency_number }));
      nonEmergency.hidden = false;
    }
    if (info.emergency_number && info.emergency_number !== "112") {
      var tel = emergency.querySelector("a");
      tel.textContent = info.emergency_number;
      tel.setAttribute("href", "tel:" + info.emergency_number);
    }
    var oh = agency.opening_hours || {};
    var keys = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    if (!Object.keys(oh).length) { hours.hidden = true; return; }
    status.textContent = agency.open_now ? t("openNow") : t("closedNow");
    status.className = "np-status " + (agency.open_now ? "np-open" : "np-closed");
    // Consecutive days with the same hours share a line: "Mon–Fri 08:00–15:30".
    var groups = [];
    keys.forEach(function (k, i) {
      var spans = (oh[k] || []).map(function (s) { return s[0] + "–" + s[1]; }).join(", ") || t("closedDay");
      var last = groups[groups.length - 1];
      if (last && last.spans === spans) last.to = i; else groups.push({ from: i, to: i, spans: spans });
    });
    hoursList.textContent = "";
    groups.forEach(function (g) {
      var days = T.days[g.from] + (g.to > g.from ? "–" + T.days[g.to] : "");
      hoursList.appendChild(el("div", { class: "np-hours-row" }, [el("dt", { text: days }), el("dd", { text: g.spans })]));
    });
    hoursNote.textContent = agency.timezone ? t("tz", { tz: agency.timezone }) : "";
    hours.hidden = false;
  }

  function messageNode(direction, text, iso, automatic) {
    var who = direction === "in" ? t("you") : t("police");
    var meta = el("span", { class: "np-meta" }, [
      automatic ? el("span", { class: "np-auto", text: t("auto") + " · " }) : null,
      el("time", { datetime: iso || "", text: iso ? timeText(iso) : "" }),
      el("span", { class: "np-state" })
    ]);
    return el("li", { class: "np-msg " + (direction === "in" ? "np-mine" : "np-theirs") }, [
      el("span", { class: "np-sr", text: who + ": " }),
      el("p", { class: "np-bubble", text: text }),
      meta
    ]);
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function setPendingState(p, st) {
    p.status = st;
    p.el.dataset.state = st;
    var label = p.el.querySelector(".np-state");
    label.textContent = "";
    if (st === "sending") label.textContent = " · " + t("sending");
    if (st === "failed") {
      label.appendChild(document.createTextNode(" · " + t("failed") + " "));
      var again = el("button", { type: "button", class: "np-retry", text: t("retry") });
      again.addEventListener("click", function () { deliver(p, 0); });
      label.appendChild(again);
    }
    if (st === "sent") label.textContent = " · " + t("sent");
  }

  function addServerMessage(m) {
    if (state.seen[m.id]) return;
    var node = messageNode(m.direction, m.text, m.sent_at, m.automatic);
    node.dataset.id = m.id;
    var p = m.client_id && state.pending.get(m.client_id);
    if (p) {
      // The server's copy replaces the optimistic one in place.
      if (p.el.parentNode === log) log.replaceChild(node, p.el); else log.appendChild(node);
      state.pending.delete(m.client_id);
      save();
    } else {
      log.appendChild(node);
      if (m.direction === "out" && state.loaded && !state.open) {
        state.unread += 1;
        badge.textContent = String(state.unread);
        badge.hidden = false;
        launcher.setAttribute("aria-label", t("launcher") + " – " + t("newReply"));
      }
    }
    state.seen[m.id] = node;
    scrollDown();
  }

  function showAlert(text) {
    alertBox.textContent = text || "";
    alertBox.hidden = !text;
  }

  // --- Server ---------------------------------------------------------------------
  function api(method, path, body) {
    var url = new URL(path, API);
    url.searchParams.set("key", KEY);
    var headers = {};
    if (body) headers["Content-Type"] = "application/json";
    if (state.token) headers.Authorization = "Bearer " + state.token;
    return fetch(url.href, {
      method: method, headers: headers, body: body ? JSON.stringify(body) : undefined,
      mode: "cors", credentials: "omit", cache: "no-store"
    }).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (data) {
        return { status: res.status, data: data || {}, retryAfter: parseInt(res.headers.get("Retry-After") || "0", 10) };
      });
    });
  }

  var sessionPromise = null;
  function session() {
    if (!sessionPromise) {
      sessionPromise = api("POST", "session", {}).then(function (r) {
        if (r.status === 200 || r.status === 201) {
          if (r.status === 201 && state.token) resetConversation(); // the old token was no longer valid
          state.token = r.data.token;
          state.info = r.data;
          state.disabled = false;
          save();
          renderInfo(r.data);
          return true;
        }
        if (r.status === 403 || r.status === 404) { state.disabled = true; showAlert(t("unavailable")); }
        if (r.status === 429) showAlert(t("rate", { s: r.retryAfter || 60 }));
        return false;
      }).catch(function () {
        showAlert(t("offline"));
        return false;
      }).then(function (ok) { sessionPromise = null; return ok; });
    }
    return sessionPromise;
  }

  function resetConversation() {
    state.cursor = null;
    state.seen = {};
    log.textContent = "";
    state.pending.forEach(function (p) { log.appendChild(p.el); });
  }

  function poll() {
    if (!state.token || state.disabled) return Promise.resolve();
    var path = "messages" + (state.cursor ? "?after=" + encodeURIComponent(state.cursor) : "");
    return api("GET", path).then(function (r) {
      if (r.status === 200) {
        (r.data.messages || []).forEach(addServerMessage);
        if (r.data.cursor) state.cursor = r.data.cursor;
        if (!state.loaded) {
          state.loaded = true;
          // Optimistic messages from an earlier page that the server never confirmed.
          state.pending.forEach(function (p) {
            log.appendChild(p.el);
            if (p.restored) { p.restored = false; deliver(p, 0); }
          });
          scrollDown();
        }
        if (alertBox.textContent === t("offline")) showAlert("");
      } else if (r.status === 401) {
        state.token = "";
        save();
        return session().then(function () { resetConversation(); });
      } else if (r.status === 403) {
        state.disabled = true;
        showAlert(t("unavailable"));
      }
    }).catch(function () { showAlert(t("offline")); });
  }

  function schedule(delay) {
    clearTimeout(state.timer);
    if (!state.token || state.disabled) return;
    var wait = delay != null ? delay : (state.open && !document.hidden ? POLL_OPEN : POLL_CLOSED);
    state.timer = setTimeout(function () { poll().then(function () { schedule(); }); }, wait);
  }

  function newClientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function deliver(p, attempt) {
    setPendingState(p, "sending");
    var go = state.token ? Promise.resolve(true) : session();
    go.then(function (ok) {
      if (!ok) { setPendingState(p, "failed"); return null; }
      return api("POST", "messages", { client_id: p.client_id, text: p.text });
    }).then(function (r) {
      if (!r) return;
      if (r.status === 202) {
        setPendingState(p, "sent");
        showAlert("");
        schedule(250); // fetch the server's copy (and an automatic reply) at once
      } else if (r.status === 401) {
        state.token = "";
        if (attempt < 1) deliver(p, attempt + 1); else setPendingState(p, "failed");
      } else if (r.status === 429) {
        setPendingState(p, "failed");
        showAlert(t("rate", { s: r.retryAfter || 60 }));
      } else if (r.status === 413) {
        setPendingState(p, "failed");
        showAlert(t("tooLong", { n: 2000 }));
      } else if (r.status === 403 || r.status === 404) {
        setPendingState(p, "failed");
        showAlert(t("unavailable"));
      } else if (r.status >= 500 && attempt < 5) {
        // Same client id: the server keeps one copy however often we retry.
        setTimeout(function () { deliver(p, attempt + 1); }, 1000 * Math.pow(2, attempt));
      } else {
        setPendingState(p, "failed");
      }
    }).catch(function () {
      if (attempt < 5) {
        showAlert(t("offline"));
        setTimeout(function () { deliver(p, attempt + 1); }, 1000 * Math.pow(2, attempt));
      } else {
        setPendingState(p, "failed");
      }
    });
  }

  function send(text) {
    var p = { client_id: newClientId(), text: text, status: "sending" };
    p.el = messageNode("in", text, new Date().toISOString(), false);
    p.el.classList.add("np-pending");
    state.pending.set(p.client_id, p);
    save();
    log.appendChild(p.el);
    scrollDown();
    deliver(p, 0);
  }

  // --- Behaviour --------------------------------------------------------------------
  function setOpen(open, focus) {
    state.open = open;
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    frame.classList.toggle("np-is-open", open);
    save();
    if (open) {
      state.unread = 0;
      badge.hidden = true;
      launcher.removeAttribute("aria-label");
      var ready = state.info ? Promise.resolve(true) : session();
      ready.then(function () {
        if (!state.loaded) return poll();
      }).then(function () { schedule(); });
      if (focus) textarea.focus();
      scrollDown();
    } else {
      schedule();
      if (focus) launcher.focus();
    }
  }

  launcher.addEventListener("click", function () { setOpen(!state.open, true); });
  closeBtn.addEventListener("click", function () { setOpen(false, true); });
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { e.preventDefault(); setOpen(false, true); }
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = textarea.value.trim();
    if (!text) { textarea.focus(); return; }
    if (text.length > 2000) { showAlert(t("tooLong", { n: 2000 })); return; }
    textarea.value = "";
    send(text);
    textarea.focus();
  });
  textarea.addEventListener("keydown", function (e) {
    // Enter sends; Shift+Enter writes a new line.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });
  forgetBtn.addEventListener("click", function () {
    if (!window.confirm(t("forgetAsk"))) return;
    forget();
    state.token = "";
    state.info = null;
    state.pending = new Map();
    state.loaded = false;
    resetConversation();
    setOpen(false, true);
  });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) schedule(0); });

  // --- Start ---------------------------------------------------------------------------
  (saved.pending || []).forEach(function (s) {
    if (!s || !s.client_id || !s.text) return;
    var p = { client_id: s.client_id, text: s.text, status: "sending", restored: true };
    p.el = messageNode("in", s.text, "", false);
    p.el.classList.add("np-pending");
    state.pending.set(p.client_id, p);
  });
  if (state.token) {
    // A returning visitor: renew the token, restore the conversation.
    session().then(function () { return poll(); }).then(function () {
      if (state.open) setOpen(true, false); else schedule();
    });
  } else if (state.open) {
    setOpen(true, false);
  }
})();
