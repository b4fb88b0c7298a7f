// Shows the platform's /health summary on the home page.
(function () {
	"use strict";
	var el = document.getElementById("status");
	if (!el) {
		return;
	}
	fetch("/health", { headers: { accept: "application/json" } })
		.then(function (r) { return r.json(); })
		.then(function (h) {
			var parts = [];
			Object.keys(h.dependencies).forEach(function (name) {
				var d = h.dependencies[name];
				parts.push(name + ": " + d.status);
			});
			el.textContent = h.status + " — " + parts.join(", ");
			el.className = "status " + (h.status === "down" ? "down" : "up");
		})
		.catch(function () {
			el.textContent = "status unavailable";
			el.className = "status down";
		});
})();
