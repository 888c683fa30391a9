/**
 * The file tree: the learner's files first, then the rest of the stack by folder. Returns the
 * function that marks the open file (aria-current) as the editor moves between files.
 */
import { WORKBENCH_EN, type WorkbenchStrings } from '../../i18n/workbench.ts';

export interface TreeFile {
  path: string;
  editable: boolean;
}

export function renderFileTree(tree: HTMLElement, files: TreeFile[], open: (path: string) => void, t: WorkbenchStrings = WORKBENCH_EN): (path: string) => void {
  const buttons = new Map<string, HTMLButtonElement>();
  const groups = new Map<string, TreeFile[]>();
  for (const file of files) {
    const dir = file.path.split('/').slice(0, -1).join('/');
    groups.set(dir, [...(groups.get(dir) ?? []), file]);
  }
  const editableFirst = (dir: string) => (groups.get(dir)!.some((f) => f.editable) ? 0 : 1);
  const ordered = [...groups].sort(([a], [b]) => editableFirst(a) - editableFirst(b) || a.localeCompare(b));
  for (const [dir, list] of ordered) {
    const heading = document.createElement('p');
    heading.className = 'wb-tree__dir';
    heading.textContent = `${dir}/`;
    const ul = document.createElement('ul');
    for (const file of list.sort((a, b) => Number(b.editable) - Number(a.editable) || a.path.localeCompare(b.path))) {
      const li = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = file.editable ? 'wb-tree__file wb-tree__file--editable' : 'wb-tree__file';
      button.textContent = file.path.split('/').pop()!;
      const tag = document.createElement('span');
      tag.className = 'wb-tree__tag';
      tag.textContent = file.editable ? t.yours : t.readOnly;
      button.append(' ', tag);
      button.title = file.path;
      button.addEventListener('click', () => open(file.path));
      buttons.set(file.path, button);
      li.append(button);
      ul.append(li);
    }
    tree.append(heading, ul);
  }
  return (path) => {
    for (const [p, b] of buttons) b.toggleAttribute('aria-current', p === path);
  };
}
