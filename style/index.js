import './base.css';
import './experiment-view.css';
