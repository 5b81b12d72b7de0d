// Suggestions of communes as the usager types (the form works without this script).
(function () {
  var input = document.getElementById("commune_saisie");
  var list = document.getElementById("communes");
  if (!input || !list || !window.fetch) return;
  var timer;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) return;
    timer = setTimeout(function () {
      fetch("/adresse/communes?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (communes) {
          list.textContent = "";
          communes.forEach(function (c) {
            var option = document.createElement("option");
            option.value = c.nom;
            list.appendChild(option);
          });
        })
        .catch(function () {});
    }, 200);
  });
})();
