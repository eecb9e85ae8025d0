// Inline, no library: click a column heading to sort a table; type in a card filter to find a person.
document.querySelectorAll('table.kpi-table').forEach(function (t) {
  if (!t.tHead || !t.tBodies.length) return;
  var cells = t.tHead.rows[t.tHead.rows.length - 1].cells;
  Array.prototype.forEach.call(cells, function (th, i) {
    th.style.cursor = 'pointer';
    th.addEventListener('click', function () {
      var body = t.tBodies[0], rows = Array.prototype.slice.call(body.rows), up = th.dataset.dir !== 'asc';
      function key(r) {
        var text = r.cells[i] ? r.cells[i].textContent.trim() : '';
        var n = parseFloat(text.replace(/[,%×<＜]/g, ''));
        return isNaN(n) ? text : n;
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        var c = (typeof x === 'number' && typeof y === 'number') ? x - y : String(x).localeCompare(String(y), 'zh');
        return up ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
      th.dataset.dir = up ? 'asc' : 'desc';
    });
  });
});
document.querySelectorAll('input.card-filter').forEach(function (box) {
  box.addEventListener('input', function () {
    var q = box.value.trim().toLowerCase();
    document.querySelectorAll('div.card').forEach(function (card) {
      card.style.display = !q || card.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none';
    });
  });
});
