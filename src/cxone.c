void module_register(void); void module_register(void){}
