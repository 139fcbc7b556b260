declare const __KASSA_VERSION__: string;
