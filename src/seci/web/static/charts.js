// SECI charts: draws every <figure class="chart"> (templates/_charts.html) with ECharts.
// Progressive enhancement: without JavaScript (or ECharts) the figure shows its table.
// Content-Security-Policy: no inline style attributes anywhere, so tooltips are DOM nodes
// with classes (charts.css), never HTML strings; labels are set as text, never as markup.
// The server translates every label; this file has no language of its own.
(function () {
  "use strict";
  if (!window.echarts || !document.querySelectorAll) { return; }
  var echarts = window.echarts;
  var PRINT_WIDTH = 800;  // the chart's width in print: 12 px text prints at about 8 pt
  var GRID_TOP = 52;      // room for one row of legend and the value axis' name
  var LEGEND = { icon: 24, gap: 18, font: 12, textGap: 5, row: 22 };
  var lang = document.documentElement.lang || "zh-CN";
  var numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  var instances = [];

  // ---- look -------------------------------------------------------------------------

  function cssValue(style, name, fallback) {
    var value = style.getPropertyValue(name).trim();
    return value || fallback;
  }

  function cssList(style, name, fallback) {
    var value = cssValue(style, name, "");
    return value ? value.split(/\s*,\s*(?![^(]*\))/) : fallback;
  }

  // Colours and font come from charts.css (custom properties on .chart).
  function readTheme(figure) {
    var style = window.getComputedStyle(figure);
    return {
      font: style.fontFamily || "sans-serif",
      ink: cssValue(style, "--chart-ink", "#1f2933"),
      muted: cssValue(style, "--chart-muted", "#65717d"),
      line: cssValue(style, "--chart-line", "#d9dee4"),
      grid: cssValue(style, "--chart-grid", "#edf0f3"),
      palette: cssList(style, "--chart-palette", ["#0b6e4f", "#2f6fbd", "#d97706", "#7a5af8"]),
      value: cssValue(style, "--chart-value", "#2f5d8a"),
      centre: cssValue(style, "--chart-centre", "#0b6e4f"),
      limit: cssValue(style, "--chart-limit", "#b42318"),
      signal: cssValue(style, "--chart-signal", "#e04f16"),
      baseline: cssValue(style, "--chart-baseline", "rgba(11,110,79,.07)"),
      above: cssValue(style, "--chart-above", "#e04f16"),
      within: cssValue(style, "--chart-within", "#8c97a5"),
      below: cssValue(style, "--chart-below", "#2f6fbd"),
      target: cssValue(style, "--chart-target", "#0b6e4f"),
      heat: cssList(style, "--chart-heat", ["#f2f7f5", "#7cc2a3", "#0b6e4f"])
    };
  }

  function isNumber(value) { return typeof value === "number" && isFinite(value); }

  function formatValue(value, percent) {
    if (!isNumber(value)) { return "—"; }
    if (percent) { return (value * 100).toFixed(1) + "%"; }
    return numbers.format(value);
  }

  function axisFormatter(percent) {
    return function (value) {
      return percent ? +(value * 100).toFixed(1) + "%" : numbers.format(value);
    };
  }

  function valueAxis(th, options) {
    var axis = {
      type: "value",
      scale: true,
      nameTextStyle: { color: th.muted, align: "left", padding: [0, 0, 0, -8] },
      nameGap: 14,
      axisLabel: { color: th.muted, formatter: axisFormatter(options.percent) },
      axisLine: { show: false },
      axisTick: { show: false },
      splitLine: { lineStyle: { color: th.grid } }
    };
    Object.keys(options).forEach(function (key) {
      if (key !== "percent") { axis[key] = options[key]; }
    });
    return axis;
  }

  function categoryAxis(th, labels, extra) {
    var axis = {
      type: "category",
      data: labels,
      axisLabel: { color: th.muted, hideOverlap: true },
      axisLine: { lineStyle: { color: th.line } },
      axisTick: { alignWithLabel: true, lineStyle: { color: th.line } }
    };
    Object.keys(extra || {}).forEach(function (key) { axis[key] = extra[key]; });
    return axis;
  }

  function baseOption(th, option) {
    var base = {
      color: th.palette,
      backgroundColor: "transparent",
      textStyle: { fontFamily: th.font, color: th.ink, fontSize: 12 },
      animationDuration: 400,
      grid: { left: 8, right: 24, top: GRID_TOP, bottom: 8, outerBoundsMode: "same",
              outerBoundsContain: "all" },
      legend: {
        top: 0, left: 0, itemWidth: LEGEND.icon, itemHeight: 10, itemGap: LEGEND.gap,
        textStyle: { color: th.ink, fontFamily: th.font, fontSize: LEGEND.font }
      },
      tooltip: {
        confine: true,
        className: "chart-tooltip",
        backgroundColor: "#fff",
        borderColor: th.line,
        borderWidth: 1,
        padding: [8, 12],
        textStyle: { color: th.ink, fontFamily: th.font, fontSize: 12 },
        extraCssText: "box-shadow: 0 4px 14px rgba(16, 24, 40, .12); border-radius: 6px;"
      }
    };
    Object.keys(option).forEach(function (key) {
      if (key === "tooltip" || key === "legend" || key === "grid") {
        var merged = {};
        [base[key], option[key]].forEach(function (part) {
          Object.keys(part || {}).forEach(function (k) { merged[k] = part[k]; });
        });
        base[key] = merged;
      } else {
        base[key] = option[key];
      }
    });
    return base;
  }

  // A legend that wraps onto more rows pushes the plot down (measured, not guessed).
  var measure = document.createElement("canvas").getContext("2d");

  function legendRows(names, width, font) {
    if (!measure || !names.length || width <= 0) { return 1; }
    measure.font = LEGEND.font + "px " + font;
    var rows = 1;
    var used = 0;
    names.forEach(function (name) {
      var text = typeof name === "string" ? name : name.name;
      var item = LEGEND.icon + LEGEND.textGap + measure.measureText(text || "").width;
      if (used > 0 && used + item > width) { rows += 1; used = 0; }
      used += item + LEGEND.gap;
    });
    return rows;
  }

  function fitLegend(chart, option, holder, th) {
    var legend = option.legend || {};
    var grid = option.grid;
    if (legend.show === false || !legend.data || !grid || Array.isArray(grid)) { return; }
    var rows = legendRows(legend.data, holder.clientWidth, th.font);
    var top = grid.top + (rows - 1) * LEGEND.row;
    if (top !== chart.__legendTop) {
      chart.__legendTop = top;
      chart.setOption({ grid: { top: top } });
    }
  }

  // ---- tooltips: DOM nodes, text only -----------------------------------------------

  function node(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text !== undefined && text !== null) { el.textContent = String(text); }
    return el;
  }

  // rows: [{name, value, color, marker: "dot"|"line"|"dashed"|"diamond"}]; notes: [{text, signal}]
  function tooltip(title, rows, notes) {
    var box = node("div", "chart-tip");
    if (title !== undefined && title !== null && title !== "") {
      box.appendChild(node("div", "chart-tip-title", title));
    }
    rows.forEach(function (row) {
      var line = node("div", "chart-tip-row");
      if (row.color) {
        var marker = node("span", "chart-tip-marker" + markerClass(row.marker));
        marker.style.color = row.color;  // CSSOM, not a style attribute: allowed by the CSP
        line.appendChild(marker);
      }
      line.appendChild(node("span", "chart-tip-name", row.name));
      line.appendChild(node("span", "chart-tip-value", row.value));
      box.appendChild(line);
    });
    (notes || []).forEach(function (note) {
      box.appendChild(node("div", "chart-tip-note" + (note.signal ? " is-signal" : ""),
                           note.text));
    });
    return box;
  }

  function markerClass(kind) {
    if (kind === "line") { return " is-line"; }
    if (kind === "dashed") { return " is-line is-dashed"; }
    if (kind === "diamond") { return " is-diamond"; }
    return "";
  }

  // A line without symbols: its legend entry shows the line only (ECharts would add a dot).
  function bare(color) { return { color: color, opacity: 0 }; }

  function first(params) { return Array.isArray(params) ? params[0] : params; }

  // ---- one builder per kind: spec → {option, link(params) → url|null, columns} -------

  function control(spec, th) {
    var legend = spec.legend || {};
    var cl = spec.cl || [];
    var ucl = spec.ucl || [];
    var lcl = spec.lcl || [];
    var signals = {};
    (spec.signals || []).forEach(function (signal) { signals[signal.index] = signal; });
    var points = spec.values.map(function (value, index) {
      if (!signals[index]) { return value; }
      return { value: value, symbol: "diamond", symbolSize: 14,
               itemStyle: { color: th.signal, borderColor: "#fff", borderWidth: 1.5 } };
    });
    var limitLine = { color: th.limit, width: 1.5, type: [6, 4] };
    var series = [
      { name: legend.value, type: "line", data: points, z: 4, symbol: "circle",
        symbolSize: 7, showSymbol: true, connectNulls: false,
        lineStyle: { color: th.value, width: 2 },
        itemStyle: { color: th.value, borderColor: "#fff", borderWidth: 1 },
        emphasis: { scale: 1.4 },
        markArea: baselineArea(spec, th) },
      { name: legend.ucl, type: "line", data: ucl, step: "middle", symbol: "none",
        lineStyle: limitLine, itemStyle: bare(th.limit), silent: true },
      { name: legend.cl, type: "line", data: cl, step: "middle", symbol: "none",
        lineStyle: { color: th.centre, width: 1.5 }, itemStyle: bare(th.centre), silent: true },
      { name: legend.lcl, type: "line", data: lcl, step: "middle", symbol: "none",
        lineStyle: limitLine, itemStyle: bare(th.limit), silent: true }
    ];
    var legendData = [legend.value, legend.cl, legend.ucl, legend.lcl];
    if (legend.signal && spec.signals && spec.signals.length) {
      // An empty series gives the signal symbol its own legend entry.
      series.push({ name: legend.signal, type: "scatter", data: [], symbol: "diamond",
                    itemStyle: { color: th.signal } });
      legendData.push({ name: legend.signal, icon: "diamond", itemStyle: { color: th.signal } });
    }
    function row(name, value, color, marker) {
      return { name: name, value: formatValue(value, spec.percent), color: color,
               marker: marker };
    }
    return {
      option: {
        legend: { data: legendData.filter(Boolean) },
        tooltip: {
          trigger: "axis",
          axisPointer: { type: "line", lineStyle: { color: th.line } },
          formatter: function (params) {
            var i = first(params).dataIndex;
            var signal = signals[i];
            var rows = [row(legend.value, spec.values[i], signal ? th.signal : th.value,
                            signal ? "diamond" : "dot")];
            if (isNumber(ucl[i])) { rows.push(row(legend.ucl, ucl[i], th.limit, "dashed")); }
            if (isNumber(cl[i])) { rows.push(row(legend.cl, cl[i], th.centre, "line")); }
            if (isNumber(lcl[i])) { rows.push(row(legend.lcl, lcl[i], th.limit, "dashed")); }
            return tooltip(spec.x[i], rows, signal ? [{ text: signal.label, signal: true }] : []);
          }
        },
        xAxis: categoryAxis(th, spec.x, { boundaryGap: true }),
        // Room above and below: a signal point never sits on the plot's edge.
        yAxis: valueAxis(th, { percent: spec.percent, name: spec.y_name,
                               boundaryGap: ["6%", "6%"] }),
        series: series
      },
      columns: spec.drill || null
    };
  }

  function baselineArea(spec, th) {
    if (!spec.baseline) { return undefined; }
    var legend = spec.legend || {};
    return {
      silent: true,
      itemStyle: { color: th.baseline },
      label: { show: !!legend.baseline, position: "insideTopLeft", color: th.muted,
               fontSize: 11, fontFamily: th.font },
      data: [[{ name: legend.baseline || "", xAxis: spec.baseline[0] },
              { xAxis: spec.baseline[1] }]]
    };
  }

  function funnel(spec, th) {
    var legend = spec.legend || {};
    var curve = spec.curve || {};
    var sizes = curve.n || [];
    var statusColour = { above: th.above, within: th.within, below: th.below };
    function limitSeries(name, key, style) {
      return { name: name, type: "line", symbol: "none", silent: true, z: 2,
               lineStyle: style, itemStyle: bare(style.color),
               data: sizes.map(function (n, i) { return [n, (curve[key] || [])[i]]; }) };
    }
    var inner = { color: th.muted, width: 1.2, type: [5, 4] };
    var outer = { color: th.limit, width: 1.4, type: [8, 4] };
    // The target line spans the curve (or the units, without one).
    var span = sizes.concat(spec.points.map(function (p) { return p.n; })).filter(isNumber);
    var nMin = span.length ? Math.min.apply(null, span) : 0;
    var nMax = span.length ? Math.max.apply(null, span) : 0;
    var series = [
      limitSeries(legend.limit95, "upper95", inner),
      limitSeries(legend.limit95, "lower95", inner),
      limitSeries(legend.limit998, "upper998", outer),
      limitSeries(legend.limit998, "lower998", outer),
      { name: legend.target, type: "line", symbol: "none", silent: true, z: 2,
        lineStyle: { color: th.target, width: 1.5 }, itemStyle: bare(th.target),
        data: isNumber(spec.target) && span.length
          ? [[nMin, spec.target], [nMax, spec.target]] : [] }
    ];
    ["above", "within", "below"].forEach(function (status) {
      series.push({
        name: legend[status], type: "scatter", z: 5, symbolSize: 11,
        itemStyle: { color: statusColour[status], borderColor: "#fff", borderWidth: 1,
                     opacity: 0.95 },
        emphasis: { scale: 1.35 },
        data: spec.points.filter(function (p) { return p.status === status; })
          .map(function (p) {
            return { value: [p.n, p.value], name: p.label, url: p.url || null,
                     status: status };
          })
      });
    });
    return {
      option: {
        legend: { data: [legend.above, legend.within, legend.below, legend.target,
                         legend.limit95, legend.limit998].filter(Boolean) },
        tooltip: {
          trigger: "item",
          formatter: function (params) {
            var d = params.data;
            return tooltip(d.name, [
              { name: spec.x_name, value: numbers.format(d.value[0]) },
              { name: spec.y_name, value: formatValue(d.value[1], spec.percent),
                color: statusColour[d.status] },
              { name: legend.target, value: formatValue(spec.target, spec.percent),
                color: th.target, marker: "line" }
            ], [{ text: legend[d.status] }]);
          }
        },
        grid: { right: 32, bottom: 8 },
        xAxis: valueAxis(th, { name: spec.x_name, nameLocation: "middle", nameGap: 28,
                               nameTextStyle: { color: th.muted },
                               min: 0, axisLine: { show: true, lineStyle: { color: th.line } },
                               splitLine: { show: false } }),
        yAxis: valueAxis(th, { percent: spec.percent, name: spec.y_name, min: 0 }),
        series: series
      },
      items: function (params) { return params.data && params.data.url; }
    };
  }

  function pareto(spec, th) {
    var legend = spec.legend || {};
    var barColour = th.palette[0];
    var lineColour = th.palette[2] || th.signal;
    return {
      option: {
        legend: { data: [legend.counts, legend.cumulative].filter(Boolean) },
        grid: { right: 8 },
        tooltip: {
          trigger: "axis",
          axisPointer: { type: "shadow", shadowStyle: { color: "rgba(16, 24, 40, .05)" } },
          formatter: function (params) {
            var i = first(params).dataIndex;
            return tooltip(spec.categories[i], [
              { name: legend.counts || spec.y_name, value: numbers.format(spec.counts[i]),
                color: barColour },
              { name: legend.cumulative, value: formatValue(spec.cumulative_share[i], true),
                color: lineColour, marker: "line" }
            ]);
          }
        },
        xAxis: categoryAxis(th, spec.categories, {
          axisLabel: { color: th.ink, interval: 0, hideOverlap: false, width: 88,
                       overflow: "truncate" } }),
        yAxis: [
          valueAxis(th, { name: spec.y_name, scale: false, min: 0 }),
          valueAxis(th, { percent: true, scale: false, min: 0, max: 1, interval: 0.2,
                          position: "right", splitLine: { show: false } })
        ],
        series: [
          { name: legend.counts, type: "bar", data: spec.counts, barMaxWidth: 48,
            itemStyle: { color: barColour, borderRadius: [3, 3, 0, 0] },
            emphasis: { itemStyle: { color: th.centre, opacity: 0.85 } },
            cursor: (spec.urls || []).some(Boolean) ? "pointer" : "default" },
          { name: legend.cumulative, type: "line", yAxisIndex: 1, data: spec.cumulative_share,
            symbol: "circle", symbolSize: 6, z: 4,
            lineStyle: { color: lineColour, width: 2 }, itemStyle: { color: lineColour },
            markLine: {
              silent: true, symbol: "none",
              lineStyle: { color: th.muted, type: [4, 4], width: 1 },
              label: { show: false },  // the right axis reads 80% at the line
              data: [{ yAxis: 0.8 }]
            } }
        ]
      },
      columns: spec.urls || null
    };
  }

  function heatmap(spec, th) {
    var legend = spec.legend || {};
    var values = spec.cells.map(function (c) { return c[2]; }).filter(isNumber);
    var min = values.length ? Math.min.apply(null, values) : 0;
    var max = values.length ? Math.max.apply(null, values) : 1;
    if (min === max) { max = min + 1; }
    var showLabels = spec.x.length <= 24 && spec.y.length <= 14;
    return {
      option: {
        tooltip: {
          trigger: "item",
          formatter: function (params) {
            var d = params.data;
            return tooltip(spec.y[d.value[1]] + " · " + spec.x[d.value[0]], [
              { name: legend.value, value: formatValue(d.raw, spec.percent),
                color: params.color }
            ]);
          }
        },
        legend: { show: false },
        grid: { top: 8, bottom: 60, right: 16 },
        xAxis: categoryAxis(th, spec.x, { splitArea: { show: false },
                                          axisTick: { show: false },
                                          axisLine: { show: false } }),
        yAxis: categoryAxis(th, spec.y, { inverse: true, axisTick: { show: false },
                                          axisLine: { show: false },
                                          axisLabel: { color: th.ink } }),
        visualMap: {
          type: "continuous", min: min, max: max, calculable: false, orient: "horizontal",
          left: "center", bottom: 0, itemWidth: 12, itemHeight: 240, hoverLink: true,
          text: [formatValue(max, spec.percent), formatValue(min, spec.percent)],
          textGap: 10, textStyle: { color: th.muted, fontFamily: th.font },
          inRange: { color: th.heat },
          formatter: function (value) { return formatValue(value, spec.percent); }
        },
        series: [{
          name: legend.value, type: "heatmap",
          data: spec.cells.map(function (c) {
            return { value: [c[0], c[1], isNumber(c[2]) ? c[2] : "-"], raw: c[2],
                     url: c[3] || null };
          }),
          itemStyle: { borderColor: "#fff", borderWidth: 2, borderRadius: 2 },
          label: { show: showLabels, fontSize: 11, fontFamily: th.font,
                   formatter: function (params) {
                     return isNumber(params.data.raw)
                       ? formatValue(params.data.raw, spec.percent) : "";
                   } },
          emphasis: { itemStyle: { borderColor: th.ink, borderWidth: 1 } },
          cursor: spec.cells.some(function (c) { return c[3]; }) ? "pointer" : "default"
        }]
      },
      items: function (params) { return params.data && params.data.url; }
    };
  }

  function lineOrBar(type) {
    return function (spec, th) {
      var single = spec.series.length === 1;
      return {
        option: {
          legend: { show: !single, data: spec.series.map(function (s) { return s.name; }) },
          grid: { top: single ? 36 : GRID_TOP },
          tooltip: {
            trigger: "axis",
            axisPointer: type === "bar"
              ? { type: "shadow", shadowStyle: { color: "rgba(16, 24, 40, .05)" } }
              : { type: "line", lineStyle: { color: th.line } },
            formatter: function (params) {
              var list = Array.isArray(params) ? params : [params];
              return tooltip(spec.x[list[0].dataIndex], list.map(function (p) {
                return { name: p.seriesName, value: formatValue(p.value, spec.percent),
                         color: p.color, marker: type === "line" ? "line" : "dot" };
              }));
            }
          },
          xAxis: categoryAxis(th, spec.x),
          yAxis: valueAxis(th, { percent: spec.percent, name: spec.y_name,
                                 scale: type === "line" }),
          series: spec.series.map(function (s) {
            return type === "bar"
              ? { name: s.name, type: "bar", data: s.values, barMaxWidth: 36,
                  itemStyle: { borderRadius: [3, 3, 0, 0] } }
              : { name: s.name, type: "line", data: s.values, symbol: "circle",
                  symbolSize: 6, showSymbol: spec.x.length <= 40, lineStyle: { width: 2 } };
          })
        }
      };
    };
  }

  function scatter(spec, th) {
    var series = [{
      name: spec.y_name, type: "scatter", symbolSize: 10, z: 3,
      itemStyle: { color: th.palette[1] || th.value, opacity: 0.85, borderColor: "#fff",
                   borderWidth: 1 },
      emphasis: { scale: 1.4 },
      data: spec.points.map(function (p) {
        return { value: [p.x, p.y], name: p.label, url: p.url || null };
      })
    }];
    if (spec.fit) {
      series.push({ type: "line", data: spec.fit, symbol: "none", silent: true, z: 2,
                    lineStyle: { color: th.centre, width: 1.5, type: [6, 4] },
                    tooltip: { show: false } });
    }
    return {
      option: {
        legend: { show: false },
        grid: { top: 36, right: 32 },
        tooltip: {
          trigger: "item",
          formatter: function (params) {
            var d = params.data;
            return tooltip(d.name, [
              { name: spec.x_name, value: formatValue(d.value[0]) },
              { name: spec.y_name, value: formatValue(d.value[1]) }
            ]);
          }
        },
        xAxis: valueAxis(th, { name: spec.x_name, nameLocation: "middle", nameGap: 28,
                               nameTextStyle: { color: th.muted }, boundaryGap: ["4%", "4%"],
                               axisLine: { show: true, lineStyle: { color: th.line } },
                               splitLine: { show: false } }),
        yAxis: valueAxis(th, { name: spec.y_name, boundaryGap: ["4%", "4%"] }),
        series: series
      },
      items: function (params) { return params.data && params.data.url; }
    };
  }

  function radar(spec, th) {
    return {
      option: {
        legend: { data: spec.series.map(function (s) { return s.name; }) },
        tooltip: {
          trigger: "item",
          formatter: function (params) {
            return tooltip(params.name, spec.indicators.map(function (indicator, i) {
              return { name: indicator.name, value: formatValue(params.value[i]) };
            }));
          }
        },
        radar: {
          center: ["50%", "57%"], radius: "68%", splitNumber: 4,
          indicator: spec.indicators.map(function (i) { return { name: i.name, max: i.max }; }),
          axisName: { color: th.ink, fontFamily: th.font, fontSize: 12 },
          axisLine: { lineStyle: { color: th.line } },
          splitLine: { lineStyle: { color: th.line } },
          splitArea: { areaStyle: { color: ["#fff", "#f7f9fa"] } }
        },
        series: [{
          type: "radar", symbol: "circle", symbolSize: 5,
          lineStyle: { width: 2 }, areaStyle: { opacity: 0.12 },
          emphasis: { areaStyle: { opacity: 0.25 } },
          data: spec.series.map(function (s) { return { name: s.name, value: s.values }; })
        }]
      }
    };
  }

  var BUILDERS = {
    control: control, funnel: funnel, pareto: pareto, heatmap: heatmap,
    line: lineOrBar("line"), bar: lineOrBar("bar"), scatter: scatter, radar: radar
  };

  // ---- behaviour --------------------------------------------------------------------

  // Clicks open the drill-down: a data item's own url, or the url of the category column
  // under the pointer (the column the axis tooltip describes).
  function wireLinks(chart, built) {
    if (built.items) {
      chart.on("click", function (params) {
        var url = built.items(params);
        if (url) { window.location.assign(url); }
      });
    }
    var columns = built.columns;
    if (!columns || !columns.some(Boolean)) { return; }
    var zr = chart.getZr();
    function columnAt(event) {
      var point = [event.offsetX, event.offsetY];
      if (!chart.containPixel({ gridIndex: 0 }, point)) { return null; }
      var index = Math.round(chart.convertFromPixel({ xAxisIndex: 0 }, point[0]));
      return columns[index] || null;
    }
    zr.on("click", function (event) {
      var url = columnAt(event);
      if (url) { window.location.assign(url); }
    });
    zr.on("mousemove", function (event) {
      zr.setCursorStyle(columnAt(event) ? "pointer" : "default");
    });
  }

  function wireViews(figure, chart) {
    var group = figure.querySelector(".chart-views");
    if (!group) { return; }
    var buttons = Array.prototype.slice.call(group.querySelectorAll("button[data-view]"));
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        var view = button.getAttribute("data-view");
        figure.setAttribute("data-view", view);
        buttons.forEach(function (b) {
          b.setAttribute("aria-pressed", String(b === button));
        });
        if (view === "chart") { chart.resize(); }
      });
    });
    group.hidden = false;
  }

  function wireResize(holder, chart, relayout) {
    if (!window.ResizeObserver) {
      window.addEventListener("resize", function () { chart.resize(); relayout(); });
      return;
    }
    var pending = false;
    new ResizeObserver(function () {
      if (pending) { return; }
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        if (holder.clientWidth > 0 && holder.clientHeight > 0 && !chart.isDisposed()) {
          chart.resize();
          relayout();
        }
      });
    }).observe(holder);
  }

  function draw(figure) {
    var build = BUILDERS[figure.getAttribute("data-chart")];
    var holder = figure.querySelector(".chart-canvas");
    var data = document.getElementById(figure.id + "-data");
    if (!build || !holder || !data) { return; }
    var built;
    try {
      built = build(JSON.parse(data.textContent), readTheme(figure));
    } catch (error) {
      if (window.console) { window.console.warn("chart " + figure.id + ":", error); }
      return;  // the table stays on screen
    }
    holder.hidden = false;
    figure.setAttribute("data-view", "chart");
    var chart = echarts.init(holder, null, { renderer: "canvas" });
    // Marks the first complete drawing (animations done): for tests and print scripts.
    chart.on("finished", function () { figure.setAttribute("data-drawn", "true"); });
    var theme = readTheme(figure);
    var option = baseOption(theme, built.option);
    chart.setOption(option);
    fitLegend(chart, option, holder, theme);
    wireLinks(chart, built);
    wireViews(figure, chart);
    wireResize(holder, chart, function () { fitLegend(chart, option, holder, theme); });
    instances.push({ chart: chart, holder: holder, figure: figure });
  }

  // Print: the page prints a picture of each chart, drawn at a paper-like width (text at
  // its normal size, then scaled with the page) and twice the pixels (sharp on paper).
  // The canvas itself keeps its screen size, which a narrower page would cut off.
  function printImage(item) {
    var height = item.holder.clientHeight;
    item.chart.resize({ width: PRINT_WIDTH, height: height, animation: { duration: 0 } });
    var url = item.chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
    item.chart.resize({ animation: { duration: 0 } });
    if (!item.image) {
      item.image = node("img", "chart-print-image");
      item.image.alt = "";  // print only; the canvas' label and the table carry the content
      item.holder.parentNode.insertBefore(item.image, item.holder.nextSibling);
    }
    item.image.src = url;
    item.figure.classList.add("has-print-image");
  }

  window.addEventListener("beforeprint", function () {
    instances.forEach(function (item) {
      if (item.figure.getAttribute("data-view") === "chart") { printImage(item); }
    });
  });

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("figure.chart[data-chart]"), draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
