/** Templates: message, invite and reply texts with variables, rendered safely for Telegram. */
export { listTemplates, getTemplate, createTemplate, updateTemplate, deleteTemplate, type Template, type TemplateKind } from './templates.js';
export { renderTemplate, validateTemplate, templateProblem, groupPostVariables, type TemplateVariable, isAdvancedTemplate, templateVariables, sampleVariables, mentionOf, SafeHtml, type TemplateVariables } from './render.js';
export { escapeTelegramHtml, telegramHtmlProblem, telegramTextLength, telegramVisibleText, maxMessageLength } from './telegram-html.js';
