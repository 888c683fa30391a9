/**
 * Monaco for the lab workbench: one model per stack file under a `file:///` URI so the TypeScript
 * worker sees the whole program (imports resolve, type errors show, go-to-definition opens the
 * read-only stack files). Loaded with a dynamic import from the lab page only — it is several MB.
 * Monaco 0.55+ names: `monaco.typescript.typescriptDefaults`; 0.56+ worker paths (exports map).
 */
import * as monaco from 'monaco-editor';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TsWorker from 'monaco-editor/languages/features/typescript/ts.worker?worker';
import { WORKBENCH_EN, type WorkbenchStrings } from '../../i18n/workbench.ts';

(self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
  getWorker(_id: string, label: string) {
    return label === 'typescript' || label === 'javascript' ? new TsWorker() : new EditorWorker();
  },
};

export interface EditorFile {
  path: string;
  text: string;
  editable: boolean;
}

export interface WorkbenchEditor {
  open(path: string): void;
  current(): string;
  /** Text of an editable file as the learner has it now. */
  text(path: string): string;
  setText(path: string, text: string): void;
  /**
   * The reference solution of an editable file beside the learner's, in Monaco's diff editor
   * (learner left, reference right, both read-only here); opening any file closes it.
   */
  showSolution(path: string, text: string): void;
  /** Errors the TypeScript worker reports for the editable files. */
  errorCount(): number;
  focus(): void;
  layout(): void;
  /** Opens a file with the cursor on a line, that line near the top, and the editor focused. */
  goTo(path: string, line: number): void;
}

export interface EditorOptions {
  files: EditorFile[];
  /** Called on every edit of an editable file. */
  onChange(path: string, text: string): void;
  onOpen(path: string): void;
  /** The TypeScript errors in the editable files, "path:line: message". */
  onDiagnostics(errors: string[]): void;
  /** Phones: everything read-only. */
  readOnly: boolean;
  readOnlyReason: string;
  /** Ctrl/Cmd+Enter and Ctrl/Cmd+Shift+Enter inside the editor. */
  onRun(): void;
  onSubmit(): void;
  /** The page's edition (Monaco's own menus and TypeScript's messages stay English). */
  t?: WorkbenchStrings;
}

// Numeric values: Monaco's exported enums predate `Bundler` (100) resolution.
const COMPILER_OPTIONS = {
  target: 9, // ES2022
  module: 99, // ESNext
  moduleResolution: 100, // Bundler, as tsconfig.json
  allowImportingTsExtensions: true,
  noEmit: true,
  strict: true,
  isolatedModules: true,
  verbatimModuleSyntax: true,
  noFallthroughCasesInSwitch: true,
  noImplicitOverride: true,
  // No `lib`: Monaco's worker resolves the default library of the target (es2022.full) itself.
};

function uriOf(path: string): monaco.Uri {
  return monaco.Uri.parse(`file:///${path}`);
}

/** Where the reference solution of an editable file sits in the TypeScript program. */
export function solutionPath(path: string): string {
  return path.replace(/\.ts$/, '.solution.ts');
}

function pathOf(uri: monaco.Uri): string {
  return uri.path.replace(/^\//, '');
}

// vs-dark with comments lifted from #6A9955 (4.3:1 on #1E1E1E) to 4.5:1 or better (WCAG AA):
// a lab file's comments carry the RFC rules the learner needs.
let darkThemeDefined = false;
function themeName(): string {
  if (document.documentElement.dataset.theme !== 'dark') return 'vs';
  if (!darkThemeDefined) {
    monaco.editor.defineTheme('course-dark', { base: 'vs-dark', inherit: true, rules: [{ token: 'comment', foreground: '7fb069' }], colors: {} });
    darkThemeDefined = true;
  }
  return 'course-dark';
}

export function createEditor(container: HTMLElement, options: EditorOptions): WorkbenchEditor {
  const t = options.t ?? WORKBENCH_EN;
  const defaults = monaco.typescript.typescriptDefaults;
  defaults.setCompilerOptions(COMPILER_OPTIONS as unknown as monaco.typescript.CompilerOptions);
  // Without eager sync only opened models reach the worker and imports of unopened files fail.
  defaults.setEagerModelSync(true);

  const editable = new Set(options.files.filter((f) => f.editable).map((f) => f.path));
  for (const file of options.files) {
    const uri = uriOf(file.path);
    const model = monaco.editor.getModel(uri) ?? monaco.editor.createModel(file.text, 'typescript', uri);
    if (model.getValue() !== file.text) model.setValue(file.text);
    if (editable.has(file.path)) model.onDidChangeContent(() => options.onChange(file.path, model.getValue()));
  }

  // Two hosts in the editor's box: the editor, and the diff view the solution opens in.
  const editorHost = document.createElement('div');
  const diffHost = document.createElement('div');
  for (const host of [editorHost, diffHost]) host.style.height = '100%';
  diffHost.hidden = true;
  container.append(editorHost, diffHost);
  let diff: monaco.editor.IStandaloneDiffEditor | null = null;

  const first = options.files.find((f) => f.editable) ?? options.files[0];
  const editor = monaco.editor.create(editorHost, {
    model: monaco.editor.getModel(uriOf(first.path)),
    automaticLayout: true,
    minimap: { enabled: false },
    fontSize: 14,
    scrollBeyondLastLine: false,
    theme: themeName(),
    tabSize: 2,
    readOnly: options.readOnly || !editable.has(first.path),
    readOnlyMessage: { value: options.readOnly ? options.readOnlyReason : t.stackFileReadOnly },
    ariaLabel: t.editorLabel(first.path, true),
  });

  const open = (path: string) => {
    const model = monaco.editor.getModel(uriOf(path));
    if (!model) return;
    diffHost.hidden = true;
    editorHost.hidden = false;
    editor.setModel(model);
    const canEdit = !options.readOnly && editable.has(path);
    editor.updateOptions({
      readOnly: !canEdit,
      readOnlyMessage: {
        value: options.readOnly ? options.readOnlyReason : t.fileReadOnly(path, [...editable]),
      },
      ariaLabel: t.editorLabel(path, canEdit),
    });
    options.onOpen(path);
  };

  // Go to definition into another stack file: open that file in this editor.
  monaco.editor.registerEditorOpener({
    openCodeEditor(_source, resource, selectionOrPosition) {
      const path = pathOf(resource);
      if (!monaco.editor.getModel(resource)) return false;
      open(path);
      if (selectionOrPosition && 'startLineNumber' in selectionOrPosition) {
        editor.setSelection(selectionOrPosition);
        editor.revealRangeInCenter(selectionOrPosition);
      } else if (selectionOrPosition) {
        editor.setPosition(selectionOrPosition);
        editor.revealPositionInCenter(selectionOrPosition);
      }
      return true;
    },
  });

  editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => options.onRun());
  editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyMod.Shift | monaco.KeyCode.Enter, () => options.onSubmit());

  const errors = () =>
    monaco.editor
      .getModelMarkers({})
      .filter((m) => m.severity === monaco.MarkerSeverity.Error && editable.has(pathOf(m.resource)))
      .map((m) => `${pathOf(m.resource).split('/').pop()}:${m.startLineNumber}: ${m.message}`);
  monaco.editor.onDidChangeMarkers(() => options.onDiagnostics(errors()));

  new MutationObserver(() => monaco.editor.setTheme(themeName())).observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });

  return {
    open,
    current: () => pathOf(editor.getModel()!.uri),
    text: (path) => monaco.editor.getModel(uriOf(path))?.getValue() ?? '',
    setText(path, text) {
      const model = monaco.editor.getModel(uriOf(path));
      // pushEditOperations keeps the reset undoable (Ctrl+Z brings the learner's work back).
      if (model) model.pushEditOperations([], [{ range: model.getFullModelRange(), text }], () => null);
    },
    showSolution(path, text) {
      // The reference lives beside the learner's file as a sibling module (handshake.solution.ts),
      // so its relative imports resolve and the TypeScript worker checks it like any stack file;
      // a model under another scheme made every import fail and those errors reached the status
      // line. Only the editable files' markers are counted, so the reference never adds errors.
      const uri = uriOf(solutionPath(path));
      const solution = monaco.editor.getModel(uri) ?? monaco.editor.createModel(text, 'typescript', uri);
      if (solution.getValue() !== text) solution.setValue(text);
      const mine = monaco.editor.getModel(uriOf(path));
      if (!mine) return;
      diff ??= monaco.editor.createDiffEditor(diffHost, {
        automaticLayout: true,
        readOnly: true,
        originalEditable: false,
        renderSideBySide: true,
        // Below ~900 px Monaco would fold to one column; the pane scrolls instead of hiding a side.
        useInlineViewWhenSpaceIsLimited: false,
        minimap: { enabled: false },
        scrollBeyondLastLine: false,
        fontSize: 14,
        theme: themeName(),
        ariaLabel: t.diffLabel(path),
      });
      diff.setModel({ original: mine, modified: solution });
      editorHost.hidden = true;
      diffHost.hidden = false;
      diff.layout();
      options.onOpen(`solution:${path}`);
    },
    errorCount: () => errors().length,
    focus: () => (diffHost.hidden ? editor.focus() : diff?.getModifiedEditor().focus()),
    layout: () => editor.layout(),
    goTo(path, line) {
      open(path);
      editor.setPosition({ lineNumber: line, column: 1 });
      editor.revealLineNearTop(line);
      editor.focus();
    },
  };
}
