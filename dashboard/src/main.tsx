import { render } from 'preact';
import { App } from './app.tsx';
import './styles/base.css';

render(<App />, document.getElementById('app')!);
