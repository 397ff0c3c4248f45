#ifndef TRIVISOR_VERSION_H
#define TRIVISOR_VERSION_H

#include <vmi/version.h>

#define TRIVISOR_VERSION "0.1.0"

#endif
