import './base.css';
import './experiment-view.css';
import './inline.css';
import './hypothesis.css';
