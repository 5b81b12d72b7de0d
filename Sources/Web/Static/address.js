// Suggestions of communes and streets as the usager types. The form works without this
// script: the server matches what was typed, accents and case aside.
(function () {
  var commune = document.getElementById("commune_saisie");
  var communes = document.getElementById("communes");
  var street = document.getElementById("voie");
  var streets = document.getElementById("voies");
  if (!commune || !communes || !window.fetch) return;
  var codes = {};
  function suggest(url, list, label) {
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (items) {
        list.textContent = "";
        items.forEach(function (item) {
          var option = document.createElement("option");
          option.value = label(item);
          list.appendChild(option);
        });
      })
      .catch(function () {});
  }
  var timer;
  commune.addEventListener("input", function () {
    clearTimeout(timer);
    var q = commune.value.trim();
    if (q.length < 2) return;
    timer = setTimeout(function () {
      suggest("/adresse/communes?q=" + encodeURIComponent(q), communes, function (c) { codes[c.nom] = c.code; return c.nom; });
    }, 200);
  });
  if (!street || !streets) return;
  street.addEventListener("input", function () {
    clearTimeout(timer);
    var code = codes[commune.value.trim()];
    var q = street.value.trim();
    if (!code || q.length < 2) return;
    timer = setTimeout(function () {
      suggest("/adresse/voies?commune=" + encodeURIComponent(code) + "&q=" + encodeURIComponent(q), streets, function (s) { return s; });
    }, 200);
  });
})();
