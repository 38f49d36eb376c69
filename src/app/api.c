#include "internal.h"

int eddy__api_routes(struct eddy_app *web)
{
    (void)web;
    return 0;
}
