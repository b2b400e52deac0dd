import { caretDownIcon, caretRightIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

/** Tree keys: one namespace per node kind, so names never collide. */
export const treeKey = {
  experiment: (name: string) => `e:${name}`,
  trial: (name: string) => `t:${name}`,
  unassigned: 'u:'
};

/** The expand/collapse caret of a tree row. */
export function Caret(props: { open: boolean }): JSX.Element {
  const Icon = props.open ? caretDownIcon : caretRightIcon;
  return (
    <Icon.react
      className="tb-Caret"
      tag="span"
      elementSize="small"
      elementPosition="center"
    />
  );
}
