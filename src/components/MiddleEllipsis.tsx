/** A name cut in the middle when it does not fit: its distinguishing end stays. */
import * as React from 'react';

import { splitForMiddleEllipsis } from '../models/middleEllipsis';

export function MiddleEllipsis(props: {
  text: string;
  className?: string;
  /** The hover text: the whole name unless given; `null` leaves it to the parent. */
  title?: string | null;
}): JSX.Element {
  const { head, tail } = splitForMiddleEllipsis(props.text);
  return (
    <span
      className={`tb-MiddleEllipsis${props.className ? ` ${props.className}` : ''}`}
      title={props.title === null ? undefined : (props.title ?? props.text)}
    >
      <span className="tb-MiddleEllipsis-head">{head}</span>
      {tail && <span className="tb-MiddleEllipsis-tail">{tail}</span>}
    </span>
  );
}
