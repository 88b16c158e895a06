// libcrm: the whole C++ API.
#pragma once

#include <crm/activities.hpp>
#include <crm/auth.hpp>
#include <crm/database.hpp>
#include <crm/error.hpp>
#include <crm/leads.hpp>
#include <crm/models.hpp>
#include <crm/portability.hpp>
#include <crm/service.hpp>
#include <crm/types.hpp>
#include <crm/users.hpp>
#include <crm/validation.hpp>
#include <crm/version.hpp>
