import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import { nextTick, onMounted } from 'vue';
import Calculator from './components/Calculator.vue';
import GpuProbe from './components/GpuProbe.vue';
import './custom.css';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('Calculator', Calculator);
    app.component('GpuProbe', GpuProbe);
  },
  setup() {
    // VitePress's search button is labelled "Search" but shows its shortcut too; without the label its
    // accessible name is the visible text, as WCAG 2.5.3 asks.
    onMounted(() => nextTick(() => document.querySelector('.DocSearch-Button')?.removeAttribute('aria-label')));
  },
} satisfies Theme;
