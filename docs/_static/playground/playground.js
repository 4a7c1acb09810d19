// The playground: edit a cell's spec, derive it in the browser, see what follows.
//
// The page holds <div class="lstm-playground" data-assets="../../_playground/"
// data-lang="en"> (docs/_ext/site_playground.py). This script builds the editor and the
// results inside it; playground-worker.mjs runs Python. Nothing is loaded from
// another host: the assets are the site's own, reached by a relative URL.
(() => {
  "use strict";

  const WORKER = new URL("playground-worker.mjs", document.currentScript.src);
  const TIMEOUT = 90; // seconds a derivation may take before the worker is stopped
  const SLOW_OPTIONS = ["enableEnrichment", "enableSpeech", "enableBraille", "enableComplexity", "enableExplorer"];

  const WORDS = {
    en: {
      start: "Start from",
      derive: "Derive",
      reset: "Reset",
      presets: {
        lstm: "LSTM",
        gru: "GRU",
        peephole_lstm: "Peephole LSTM",
        kink: "Break it: a kink, |z|",
        unused: "Break it: an unused gate",
      },
      family: (cell) => `${cell} (from the family)`,
      file: "Spec file",
      editor: "The cell's specification (Python and SymPy)",
      idle: "Press Derive: the first derivation starts Python in this page (about 35 MB, downloaded once).",
      edited: "Edited: press Derive.",
      ready: "Python is ready: press Derive.",
      presetsFailed: "The presets could not be loaded",
      progress: {
        download: () => "Downloading Python (Pyodide), SymPy and the engine…",
        python: (v) => `Starting Python (Pyodide ${v})…`,
        sympy: (v) => `Unpacking SymPy ${v} and mpmath…`,
        engine: () => "Unpacking the engine (cells, derive, codegen)…",
        import: () => "Importing SymPy and the engine…",
        formatter: (v) => `Loading the formatter (ruff ${v}, WebAssembly)…`,
        derive: () => "Deriving, generating the module and checking the gradients…",
        typeset: () => "Typesetting the equations…",
      },
      done: (s) => `Derived, generated, checked and shown in ${s} s.`,
      cold: (s) => ` Python started in ${s} s.`,
      refused: "The engine refuses this spec:",
      failed: (m) => `The playground could not start Python: ${m}`,
      timeout: (s) => `Stopped after ${s} s: the derivation did not finish.`,
      equations: "Forward equations",
      equationsNote: "Each function application on a line of its own, as the generated code computes them.",
      adjoints: "Adjoints",
      adjointsNote: "The backward pass, from the new states back to the projections, in the order the code computes it.",
      check: "Gradient check",
      checkNote: (points, tolerance) =>
        `Every adjoint against central differences of the forward pass, at ${points} random points, in Python floats: OK when the worst relative error is at most ${tolerance}.`,
      checkHead: ["Gradient", "Worst relative error", "Result"],
      checkAll: (n, worst) => `All ${n} adjoints pass; the worst relative error is ${worst}.`,
      checkSome: (bad, n) => `${bad} of ${n} adjoints fail.`,
      module: "Generated module",
      same: (file) => `The same as the committed ${file}.`,
      differs: (n, file) =>
        `${n} line${n === 1 ? "" : "s"} differ from the committed ${file}: added lines are marked +, removed lines −.`,
      noCommitted: (name) => `No committed module for a cell named ${name}: every line is new.`,
      formatted: (v) => `Formatted with ruff ${v} (WebAssembly), as lstm-derive regen formats it.`,
      unformatted: "Not formatted: ruff did not load.",
      ok: "OK",
      fail: "FAIL",
    },
    zh_CN: {
      start: "起点",
      derive: "推导",
      reset: "还原",
      presets: {
        lstm: "LSTM",
        gru: "GRU",
        peephole_lstm: "窥孔 LSTM",
        kink: "破坏它：折点 |z|",
        unused: "破坏它：未使用的门",
      },
      family: (cell) => `${cell}（来自单元家族）`,
      file: "规格文件",
      editor: "单元的规格（Python 与 SymPy）",
      idle: "点击“推导”：第一次推导会在本页中启动 Python（约 35 MB，只下载一次）。",
      edited: "已修改：请点击“推导”。",
      ready: "Python 已就绪：请点击“推导”。",
      presetsFailed: "无法加载预设",
      progress: {
        download: () => "正在下载 Python（Pyodide）、SymPy 和推导引擎……",
        python: (v) => `正在启动 Python（Pyodide ${v}）……`,
        sympy: (v) => `正在解包 SymPy ${v} 和 mpmath……`,
        engine: () => "正在解包推导引擎（cells、derive、codegen）……",
        import: () => "正在导入 SymPy 和推导引擎……",
        formatter: (v) => `正在加载格式化工具（ruff ${v}，WebAssembly）……`,
        derive: () => "正在推导、生成模块并进行梯度检验……",
        typeset: () => "正在排版公式……",
      },
      done: (s) => `推导、生成、检验和显示共用时 ${s} 秒。`,
      cold: (s) => `Python 启动用时 ${s} 秒。`,
      refused: "推导引擎拒绝了这个规格：",
      failed: (m) => `练习场无法启动 Python：${m}`,
      timeout: (s) => `${s} 秒后已停止：推导没有完成。`,
      equations: "前向方程",
      equationsNote: "每个函数调用单独占一行，与生成的代码的计算方式相同。",
      adjoints: "伴随",
      adjointsNote: "反向传播：从新状态一直到各个投影，按代码的计算顺序排列。",
      check: "梯度检验",
      checkNote: (points, tolerance) =>
        `在 ${points} 个随机点上，用 Python 浮点数把每个伴随与前向传播的中心差分比较：最大相对误差不超过 ${tolerance} 即为通过。`,
      checkHead: ["梯度", "最大相对误差", "结果"],
      checkAll: (n, worst) => `全部 ${n} 个伴随均通过；最大相对误差为 ${worst}。`,
      checkSome: (bad, n) => `${n} 个伴随中有 ${bad} 个未通过。`,
      module: "生成的模块",
      same: (file) => `与已提交的 ${file} 完全相同。`,
      differs: (n, file) => `与已提交的 ${file} 相比有 ${n} 行不同：新增的行标为 +，删去的行标为 −。`,
      noCommitted: (name) => `没有名为 ${name} 的单元的已提交模块：每一行都是新的。`,
      formatted: (v) => `已用 ruff ${v}（WebAssembly）格式化，与 lstm-derive regen 的格式化相同。`,
      unformatted: "未格式化：ruff 没有加载成功。",
      ok: "通过",
      fail: "失败",
    },
  };

  function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes)) {
      if (key === "text") {
        node.textContent = value;
      } else {
        node.setAttribute(key, value);
      }
    }
    node.append(...children);
    return node;
  }

  function exponent(value) {
    return value.toExponential(1).replace("+", ""); // 3.0e-12, 1.0e-7
  }

  function typeset(nodes) {
    const mathjax = window.MathJax;
    if (!mathjax || !mathjax.startup || !mathjax.typesetPromise) {
      return Promise.resolve();
    }
    // Without the speech and Braille strings MathJax computes for every formula by
    // default: for the dozens of adjoints they take seconds (the typeset maths
    // keeps its MathML for screen readers).
    return mathjax.startup.promise.then(() => {
      const options = mathjax.startup.document.options;
      const saved = {};
      for (const key of SLOW_OPTIONS) {
        if (key in options) {
          saved[key] = options[key];
          options[key] = false;
        }
      }
      return mathjax.typesetPromise(nodes).finally(() => Object.assign(options, saved));
    });
  }

  class Playground {
    constructor(root) {
      this.root = root;
      this.words = WORDS[root.dataset.lang] || WORDS.en;
      this.assets = new URL(root.dataset.assets, window.location.href).href;
      this.worker = null;
      this.request = 0;
      this.cells = {};
      this.presets = [];
      this.build();
      this.load();
    }

    build() {
      const w = this.words;
      const id = (name) => `playground-${name}`;
      this.select = element("select", { id: id("preset"), class: "pg-preset" });
      this.deriveButton = element("button", { type: "button", class: "pg-derive", text: w.derive });
      this.resetButton = element("button", { type: "button", class: "pg-reset", text: w.reset });
      this.file = element("code", { class: "pg-file" });
      this.editor = element("textarea", {
        id: id("editor"),
        class: "pg-editor",
        spellcheck: "false",
        autocapitalize: "off",
        autocomplete: "off",
        rows: "24",
        "aria-label": w.editor,
      });
      this.status = element("p", { class: "pg-status", role: "status", "aria-live": "polite", text: w.idle });
      this.error = element("pre", { class: "pg-error", hidden: "" });
      this.results = element("div", { class: "pg-results", hidden: "" });
      const bar = element(
        "div",
        { class: "pg-bar" },
        element("label", { for: id("preset"), text: w.start }),
        this.select,
        this.resetButton,
        this.deriveButton,
      );
      const fileLine = element("div", { class: "pg-file-line" }, element("span", { text: `${w.file}: ` }), this.file);
      this.root.append(bar, fileLine, this.editor, this.status, this.error, this.results);
      this.setBusy(true);
      this.select.addEventListener("change", () => this.choose(this.select.value));
      this.resetButton.addEventListener("click", () => this.choose(this.select.value));
      this.deriveButton.addEventListener("click", () => this.derive());
      this.editor.addEventListener("input", () => this.edited());
      this.editor.addEventListener("focus", () => this.warmUp());
      this.editor.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          this.derive();
        }
      });
    }

    edited() {
      if (!this.busy && !this.replacing) {
        this.say(this.words.edited);
      }
    }

    // Python starts as soon as the reader shows an interest (they focus the editor,
    // or came from a cell's link), so that it is ready, or nearly, when they press
    // Derive; a reader who only scrolls past downloads nothing.
    warmUp() {
      if (this.worker === null) {
        this.startWorker();
        this.worker.postMessage({ type: "start", assets: this.assets });
      }
    }

    // The editor: CodeMirror from the site's _playground/, or the plain textarea if
    // it does not load.
    async loadEditor(editor) {
      const load = (tag, attributes) =>
        new Promise((resolve, reject) => {
          const node = element(tag, attributes);
          node.addEventListener("load", resolve);
          node.addEventListener("error", () => reject(new Error(attributes.src || attributes.href)));
          document.head.append(node);
        });
      await load("link", { rel: "stylesheet", href: this.assets + editor.style });
      for (const script of editor.scripts) {
        await load("script", { src: this.assets + script });
      }
      const spaces = (cm) => (cm.somethingSelected() ? cm.indentSelection("add") : cm.replaceSelection("    "));
      this.cm = window.CodeMirror.fromTextArea(this.editor, {
        mode: "python",
        lineNumbers: true,
        indentUnit: 4,
        tabSize: 4,
        matchBrackets: true,
        screenReaderLabel: this.words.editor,
        extraKeys: {
          "Ctrl-Enter": () => this.derive(),
          "Cmd-Enter": () => this.derive(),
          Tab: spaces,
          "Shift-Tab": (cm) => cm.indentSelection("subtract"),
        },
      });
      this.cm.on("change", () => this.edited());
      this.cm.on("focus", () => this.warmUp());
    }

    text() {
      return this.cm ? this.cm.getValue() : this.editor.value;
    }

    setText(text) {
      this.replacing = true; // not the reader's edit
      if (this.cm) {
        this.cm.setValue(text);
        this.cm.clearHistory();
      } else {
        this.editor.value = text;
      }
      this.replacing = false;
    }

    async load() {
      const json = async (name) => {
        const response = await fetch(this.assets + name);
        if (!response.ok) {
          throw new Error(`${name}: HTTP ${response.status}`);
        }
        return response.json();
      };
      let manifest;
      try {
        const data = await json("presets.json");
        this.cells = data.cells;
        this.presets = data.presets;
        manifest = await json("manifest.json");
      } catch (error) {
        this.say(`${this.words.presetsFailed}: ${error.message}`);
        return;
      }
      try {
        await this.loadEditor(manifest.editor);
      } catch (error) {
        console.warn("the playground's editor is a plain text area:", error);
      }
      for (const preset of this.presets) {
        this.select.append(element("option", { value: preset.key, text: this.words.presets[preset.key] || preset.key }));
      }
      const wanted = new URLSearchParams(window.location.search).get("cell");
      let first = this.presets[0].key;
      if (wanted && wanted in this.cells) {
        const preset = this.presets.find((p) => p.key === wanted);
        if (!preset) {
          this.presets.push({ key: wanted, cell: wanted, text: this.cells[wanted] });
          this.select.append(element("option", { value: wanted, text: this.words.family(wanted) }));
        }
        first = wanted;
        if (window.location.hash === `#${this.root.id}`) {
          this.root.scrollIntoView();
        }
        this.warmUp(); // the reader came to edit this cell
      }
      this.select.value = first;
      this.choose(first);
      this.setBusy(false);
    }

    choose(key) {
      const preset = this.presets.find((p) => p.key === key);
      this.cell = preset.cell;
      this.setText(preset.text);
      this.file.textContent = `cells/${preset.cell}.py`;
    }

    setBusy(busy) {
      this.busy = busy;
      this.deriveButton.disabled = busy;
      this.select.disabled = busy;
      this.resetButton.disabled = busy;
      this.root.classList.toggle("pg-busy", busy);
    }

    say(text) {
      this.status.textContent = text;
    }

    startWorker() {
      this.worker = new Worker(WORKER, { type: "module" });
      this.worker.addEventListener("message", (event) => this.receive(event.data));
      this.worker.addEventListener("error", (event) => {
        this.finish();
        this.say(this.words.failed(event.message || "worker"));
      });
    }

    derive() {
      if (this.busy) {
        return;
      }
      if (this.worker === null) {
        this.startWorker();
      }
      this.setBusy(true);
      delete this.root.dataset.state; // "derived" or "error" when the answer is shown
      this.request += 1;
      this.clock = performance.now();
      this.watchdog = setTimeout(() => {
        this.worker.terminate();
        this.worker = null;
        this.finish();
        this.say(this.words.timeout(TIMEOUT));
      }, TIMEOUT * 1000);
      this.worker.postMessage({
        type: "derive",
        id: this.request,
        assets: this.assets,
        text: this.text(),
        cell: this.cell,
      });
    }

    finish() {
      clearTimeout(this.watchdog);
      this.setBusy(false);
    }

    receive(message) {
      const w = this.words;
      if (message.type === "progress") {
        const say = w.progress[message.step];
        this.say(say ? say(message.detail) : message.step);
        this.root.classList.add("pg-busy");
        return;
      }
      if (message.type === "ready" || (message.type === "failed" && message.id === null)) {
        if (!this.busy) {
          // Started while the reader edits: say so (a derivation under way says more).
          this.root.classList.remove("pg-busy");
          this.say(message.type === "ready" ? w.ready : w.failed(message.message));
        }
        return;
      }
      if (message.id !== this.request) {
        return;
      }
      if (message.type === "failed") {
        this.finish();
        this.say(w.failed(message.message));
        return;
      }
      const result = message.result;
      this.error.hidden = result.ok;
      this.results.hidden = !result.ok;
      const cold = this.warm ? "" : w.cold(message.startup.toFixed(1));
      this.warm = true;
      if (!result.ok) {
        this.error.textContent = result.error;
        this.finish();
        this.say(w.refused);
        this.root.dataset.state = "error";
        return;
      }
      this.say(w.progress.typeset());
      this.show(result, message);
      typeset([this.results]).then(() => {
        const elapsed = ((performance.now() - this.clock) / 1000).toFixed(1);
        this.finish();
        this.say(w.done(elapsed) + cold);
        this.root.dataset.state = "derived";
      });
    }

    show(result, message) {
      const w = this.words;
      // One display each (MathJax typesets one block far faster than dozens).
      const mathLines = (lines) =>
        element("div", { class: "pg-maths", text: `\\[\\begin{gathered}${lines.join(" \\\\ ")}\\end{gathered}\\]` });
      const rows = result.check.rows;
      const bad = rows.filter((row) => !row.ok).length;
      const worst = Math.max(...rows.map((row) => row.worst));
      const table = element(
        "table",
        { class: "pg-check table" },
        element("thead", {}, element("tr", {}, ...w.checkHead.map((text) => element("th", { text })))),
        element(
          "tbody",
          {},
          ...rows.map((row) =>
            element(
              "tr",
              { class: row.ok ? "pg-ok" : "pg-fail", "data-name": row.name },
              element("td", { text: `\\(${row.tex}\\)` }),
              element("td", { class: "pg-number", text: exponent(row.worst) }),
              element("td", { text: row.ok ? w.ok : w.fail }),
            ),
          ),
        ),
      );
      const changed = result.lines.filter(([state]) => state !== "same").length;
      let summary;
      if (result.committed === null) {
        summary = w.noCommitted(result.name);
      } else if (changed === 0) {
        summary = w.same(result.committed);
      } else {
        summary = w.differs(changed, result.committed);
      }
      const formatted = message.ruff ? w.formatted(message.ruff) : w.unformatted;
      let number = 0;
      const code = element("code", {});
      for (const [state, text] of result.lines) {
        if (state !== "removed") {
          number += 1;
        }
        const line = element("span", { class: `pg-line pg-${state}`, text: `${text}\n` });
        line.dataset.n = state === "removed" ? "" : String(number);
        code.append(line);
      }
      if (result.committed === null) {
        code.querySelectorAll(".pg-line").forEach((line) => line.classList.replace("pg-added", "pg-same"));
      }
      this.results.replaceChildren(
        element("h3", { text: w.equations }),
        element("p", { class: "pg-note", text: w.equationsNote }),
        mathLines(result.equations),
        element("h3", { text: w.adjoints }),
        element("p", { class: "pg-note", text: w.adjointsNote }),
        mathLines(result.adjoints),
        element("h3", { text: w.check }),
        element("p", { class: "pg-note", text: w.checkNote(result.check.points, exponent(result.check.tolerance)) }),
        element("p", { class: bad ? "pg-verdict pg-fail" : "pg-verdict pg-ok", text: bad ? w.checkSome(bad, rows.length) : w.checkAll(rows.length, exponent(worst)) }),
        element("div", { class: "pg-table" }, table),
        element("h3", { text: w.module }),
        element("p", { class: "pg-note pg-module-note", text: `${summary} ${formatted}` }),
        element("pre", { class: "pg-module" }, code),
      );
    }
  }

  function start() {
    for (const root of document.querySelectorAll(".lstm-playground")) {
      root.playground = new Playground(root);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
