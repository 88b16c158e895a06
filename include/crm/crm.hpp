// libcrm: the whole C++ API.
#pragma once

#include <crm/database.hpp>
#include <crm/error.hpp>
#include <crm/models.hpp>
#include <crm/portability.hpp>
#include <crm/service.hpp>
#include <crm/types.hpp>
#include <crm/validation.hpp>
#include <crm/version.hpp>
