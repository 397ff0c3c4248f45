#ifndef HVM_VPLAT_PORTS_H
#define HVM_VPLAT_PORTS_H
#define PORT_COM1 0x3f8
#define PORT_DEBUG_EXIT 0xf4
#endif
