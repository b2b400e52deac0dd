import { LabIcon } from '@jupyterlab/ui-components';

import trialbookSvg from '../style/icons/trialbook.svg';

/** The Trialbook icon: a flask over a trend line. */
export const trialbookIcon = new LabIcon({
  name: 'trialbook:trialbook',
  svgstr: trialbookSvg
});
